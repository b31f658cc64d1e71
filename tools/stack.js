#!/usr/bin/env node
'use strict';
/*
 * npm run stack — the sample services, each in its own process, with prefixed coloured logs.
 *
 *   1. Kafka: KAFKA_BROKERS when set, else the local broker of tools/kafka (started or reused).
 *   2. orders, inventory and gateway: `node -r ts-node/register/transpile-only -r tsconfig-paths/register
 *      apps/<service>/src/main.ts`, each with the environment of this process (ORDERS_DATABASE_URL,
 *      INVENTORY_DATABASE_URL, DATABASE_URL, *_HTTP_PORT, DASHBOARD_PASSWORD, ... see each app's README).
 *   3. Waits until each answers GET /health with 200, prints the URLs and `[stack] ready`.
 *   4. Ctrl-C (SIGINT) or SIGTERM: SIGTERM to every service, waits for them to exit (SIGKILL after
 *      STACK_STOP_TIMEOUT_MS, default 20 s), then exits. A service that dies stops the whole stack.
 *
 * Services run in their own process groups so a terminal's Ctrl-C reaches them once, from here
 * (a second signal would cut a graceful shutdown short). Their ports come from their environment
 * (defaults 3001, 3002, 3000; 0 = any free port); the URL each listens on is read from its log.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const READY_TIMEOUT_MS = Number(process.env.STACK_READY_TIMEOUT_MS || 180_000);
const STOP_TIMEOUT_MS = Number(process.env.STACK_STOP_TIMEOUT_MS || 20_000);
const useColour = process.stdout.isTTY && !process.env.NO_COLOR;

const SERVICES = [
  { name: 'orders', colour: 36, defaultPort: 3001 },
  { name: 'inventory', colour: 35, defaultPort: 3002 },
  { name: 'gateway', colour: 33, defaultPort: 3000 },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const paint = (colour, text) => (useColour ? `\x1b[${colour}m${text}\x1b[0m` : text);
const say = (text) => process.stdout.write(`${paint(32, '[stack]')} ${text}\n`);

/** Prefix each complete line of a child's stream; keeps a partial last line until it completes. */
function prefixLines(stream, prefix, out, onLine) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    for (const line of lines) {
      out.write(`${prefix} ${line}\n`);
      onLine(line);
    }
  });
  stream.on('end', () => {
    if (pending) out.write(`${prefix} ${pending}\n`);
  });
}

async function brokers() {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS;
  say('KAFKA_BROKERS is not set: starting (or reusing) the local broker; npm run kafka:stop stops it');
  const kafka = require(path.join(ROOT, 'tools', 'kafka', 'kafka.js'));
  const started = await kafka.start({ name: 'dev', port: 9092 });
  return started.brokers.join(',');
}

function startService(service, env) {
  const prefix = paint(service.colour, `[${service.name.padEnd(9)}]`);
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', path.join('apps', service.name, 'src', 'main.ts')],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const state = { ...service, child, url: undefined, exited: false, code: null };
  // `NO_COLOR` in the child keeps Nest's own colours out of prefixed lines when not on a terminal.
  const onLine = (line) => {
    // eslint-disable-next-line no-control-regex
    const match = /listening on (http:\/\/\S+)/.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
    if (match && !state.url) state.url = match[1].replace('[::1]', '127.0.0.1');
  };
  prefixLines(child.stdout, prefix, process.stdout, onLine);
  prefixLines(child.stderr, prefix, process.stderr, onLine);
  child.on('exit', (code, signal) => {
    state.exited = true;
    state.code = code ?? signal;
  });
  say(`${service.name} started (pid ${child.pid})`);
  return state;
}

async function waitHealthy(state, deadline) {
  for (;;) {
    if (state.exited) throw new Error(`${state.name} exited (${state.code}) before it was healthy; see its log above`);
    if (Date.now() > deadline) throw new Error(`${state.name} was not healthy within ${READY_TIMEOUT_MS} ms (STACK_READY_TIMEOUT_MS)`);
    if (state.url) {
      try {
        const response = await fetch(`${state.url}/health`, { signal: AbortSignal.timeout(5000) });
        if (response.ok) return;
      } catch {
        // not up yet
      }
    }
    await sleep(250);
  }
}

async function stopAll(states, reason) {
  say(`stopping (${reason}): SIGTERM to ${states.filter((s) => !s.exited).map((s) => s.name).join(', ') || 'nobody'}`);
  for (const s of states) if (!s.exited) s.child.kill('SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (states.some((s) => !s.exited) && Date.now() < deadline) await sleep(100);
  for (const s of states) {
    if (!s.exited) {
      say(`${s.name} did not stop within ${STOP_TIMEOUT_MS} ms: SIGKILL`);
      s.child.kill('SIGKILL');
    }
  }
  while (states.some((s) => !s.exited)) await sleep(50);
  say(`stopped: ${states.map((s) => `${s.name} (${s.code})`).join(', ')}`);
}

async function main() {
  const states = [];
  let stopping;
  const stop = (reason, exitCode) => {
    stopping ??= stopAll(states, reason).then(() => process.exit(exitCode));
    return stopping;
  };
  process.on('SIGINT', () => void stop('SIGINT', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));

  const env = { ...process.env, KAFKA_BROKERS: await brokers(), FORCE_COLOR: useColour ? '1' : '0' };
  if (!useColour) env.NO_COLOR = '1';
  say(`Kafka at ${env.KAFKA_BROKERS}`);
  for (const service of SERVICES) {
    if (stopping) return;
    states.push(startService(service, env));
  }
  for (const s of states) {
    s.child.on('exit', () => {
      if (!stopping) void stop(`${s.name} exited (${s.code})`, 1);
    });
  }
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (const s of states) {
      await waitHealthy(s, deadline);
      say(`${s.name} healthy at ${s.url}`);
    }
  } catch (e) {
    if (!stopping) await stop(e.message, 1);
    return;
  }
  const byName = Object.fromEntries(states.map((s) => [s.name, s.url]));
  say(`gateway    ${byName.gateway}  (HTTP API: /orders, /stock/:sku, /config/orders/limits, /catalogue, /registry, /tributary)`);
  say(`orders     ${byName.orders}  (/health, /metrics, /config/limits)`);
  say(`inventory  ${byName.inventory}  (/health, /metrics)`);
  say(`try: curl -s -X POST ${byName.gateway}/orders -H 'content-type: application/json' -d '{"customerId":"c-1","sku":"apple","quantity":2}'`);
  say('ready — Ctrl-C stops every service');
}

main().catch((e) => {
  process.stderr.write(`[stack] ${e.stack || e.message}\n`);
  process.exit(1);
});
