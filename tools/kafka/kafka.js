#!/usr/bin/env node
'use strict';
/*
 * Local Apache Kafka (KRaft) for development, tests and the demo, without Docker.
 *
 *   node tools/kafka/kafka.js start   [--name dev] [--port 9092] [--nodes 1] [--fresh]
 *   node tools/kafka/kafka.js stop    [--name dev] [--node N]
 *   node tools/kafka/kafka.js restart [--name dev] --node N
 *   node tools/kafka/kafka.js status  [--name dev]
 *   node tools/kafka/kafka.js fetch
 *
 * The jars come from Maven Central through tools/kafka/pom.xml into tools/kafka/.cache (git-ignored).
 * Each named cluster keeps its config, data, logs and pid files under .kafka/<name>/ at the repo root.
 * Node i listens on 127.0.0.1:(port + i - 1); its controller on (port + 1000 + i - 1).
 * The same functions are exported for jest's global setup and the fault tests.
 */
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const TOOL_DIR = __dirname;
const REPO_ROOT = path.resolve(TOOL_DIR, '..', '..');
const POM = path.join(TOOL_DIR, 'pom.xml');
const JAR_DIR = process.env.TRIBUTARY_KAFKA_JARS || path.join(TOOL_DIR, '.cache', 'libs');
const STATE_ROOT = process.env.TRIBUTARY_KAFKA_STATE || path.join(REPO_ROOT, '.kafka');
const CONTROLLER_PORT_OFFSET = 1000;
const READY_TIMEOUT_MS = Number(process.env.TRIBUTARY_KAFKA_READY_TIMEOUT_MS || 120_000);
const STOP_TIMEOUT_MS = 20_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function log(message) {
  if (!process.env.TRIBUTARY_KAFKA_QUIET) process.stderr.write(`[kafka] ${message}\n`);
}

class KafkaToolError extends Error {}

/** Fetch the jars with Maven unless the cache already matches the pom. */
function ensureJars() {
  const pomHash = crypto.createHash('sha256').update(fs.readFileSync(POM)).digest('hex');
  const marker = path.join(JAR_DIR, '.pom-sha256');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === pomHash) return JAR_DIR;
  fs.rmSync(JAR_DIR, { recursive: true, force: true });
  fs.mkdirSync(JAR_DIR, { recursive: true });
  log(`fetching Apache Kafka jars with Maven into ${path.relative(REPO_ROOT, JAR_DIR)}`);
  const mvn = spawnSync(
    'mvn',
    ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${JAR_DIR}`, '-DincludeScope=runtime'],
    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );
  if (mvn.error) throw new KafkaToolError(`cannot run Maven (${mvn.error.message}): install Maven and Java 17`);
  if (mvn.status !== 0) {
    throw new KafkaToolError(`Maven could not fetch the Kafka jars (exit ${mvn.status}):\n${mvn.stdout}\n${mvn.stderr}`);
  }
  if (!fs.readdirSync(JAR_DIR).some((f) => /^kafka_2\.13-.*\.jar$/.test(f))) {
    throw new KafkaToolError(`Maven ran but no kafka_2.13 jar is in ${JAR_DIR}`);
  }
  fs.writeFileSync(marker, pomHash);
  return JAR_DIR;
}

function javaBin() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function layout(options = {}) {
  const name = options.name || 'dev';
  if (!/^[a-zA-Z0-9_-]+$/.test(name)) throw new KafkaToolError(`invalid cluster name "${name}"`);
  const stateDir = path.join(STATE_ROOT, name);
  const saved = readJson(path.join(stateDir, 'cluster.json'));
  const port = Number(options.port || saved?.port || 9092);
  const nodes = Number(options.nodes || saved?.nodes || 1);
  if (!Number.isInteger(port) || port < 1024 || port > 64535 - CONTROLLER_PORT_OFFSET - nodes) {
    throw new KafkaToolError(`invalid port ${options.port}`);
  }
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new KafkaToolError(`invalid node count ${options.nodes}`);
  const list = [];
  for (let id = 1; id <= nodes; id++) {
    const dir = path.join(stateDir, `node-${id}`);
    list.push({
      id,
      port: port + id - 1,
      controllerPort: port + CONTROLLER_PORT_OFFSET + id - 1,
      dir,
      dataDir: path.join(dir, 'data'),
      configFile: path.join(dir, 'server.properties'),
      logFile: path.join(dir, 'kafka.log'),
      pidFile: path.join(dir, 'kafka.pid'),
    });
  }
  return { name, stateDir, port, nodes: list, brokers: list.map((n) => `127.0.0.1:${n.port}`) };
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function serverProperties(cluster, node) {
  const n = cluster.nodes.length;
  const voters = cluster.nodes.map((x) => `${x.id}@127.0.0.1:${x.controllerPort}`).join(',');
  return [
    'process.roles=broker,controller',
    `node.id=${node.id}`,
    `controller.quorum.voters=${voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${node.dataDir}`,
    'num.partitions=1',
    `default.replication.factor=1`,
    `offsets.topic.replication.factor=${Math.min(3, n)}`,
    'offsets.topic.num.partitions=10',
    `transaction.state.log.replication.factor=${Math.min(3, n)}`,
    `transaction.state.log.min.isr=${Math.min(2, n)}`,
    'transaction.state.log.num.partitions=10',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
    'num.network.threads=2',
    'num.io.threads=4',
    'num.recovery.threads.per.data.dir=1',
    'log.retention.hours=168',
    'controlled.shutdown.enable=true',
    '',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=INFO, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.request.logger=WARN',
  'log4j.logger.state.change.logger=WARN',
  'log4j.logger.kafka.controller=INFO',
  'log4j.logger.org.apache.kafka=INFO',
  '',
].join('\n');

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** The pid of a running broker of this node, or undefined (a stale pid file is removed). */
function runningPid(node) {
  let pid;
  try {
    pid = Number(fs.readFileSync(node.pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (pid > 0 && pidAlive(pid)) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('kafka.Kafka') && cmdline.includes(node.configFile)) return pid;
    } catch {
      return pid; // no /proc: trust the pid file
    }
  }
  fs.rmSync(node.pidFile, { force: true });
  return undefined;
}

function portOpen(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function prepare(cluster, fresh) {
  const clusterFile = path.join(cluster.stateDir, 'cluster.json');
  const saved = readJson(clusterFile);
  const sameShape = saved && saved.nodes === cluster.nodes.length && saved.port === cluster.port;
  if (fresh || !sameShape) {
    if (fs.existsSync(cluster.stateDir)) log(`resetting ${path.relative(REPO_ROOT, cluster.stateDir)}`);
    fs.rmSync(cluster.stateDir, { recursive: true, force: true });
  }
  fs.mkdirSync(cluster.stateDir, { recursive: true });
  const reusable = sameShape && !fresh && typeof saved.clusterId === 'string' && !saved.clusterId.startsWith('-');
  const clusterId = reusable ? saved.clusterId : newClusterId();
  fs.writeFileSync(
    clusterFile,
    JSON.stringify({ clusterId, port: cluster.port, nodes: cluster.nodes.length }, null, 2),
  );
  fs.writeFileSync(path.join(cluster.stateDir, 'log4j.properties'), LOG4J);
  return clusterId;
}

/**
 * A random cluster id: 16 bytes in base64url, as Kafka's own. One in 64 of those starts with '-',
 * which kafka-storage's argument parser takes for an option ("--cluster-id: expected one
 * argument"), so such ids are drawn again (Kafka's Uuid.randomUuid() skips them too).
 */
function newClusterId(randomBytes = crypto.randomBytes) {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function format(node, clusterId, jars) {
  fs.mkdirSync(node.dir, { recursive: true });
  fs.writeFileSync(node.configFile, serverProperties(node.cluster, node));
  if (fs.existsSync(path.join(node.dataDir, 'meta.properties'))) return;
  const result = spawnSync(
    javaBin(),
    ['-cp', `${jars}/*`, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', node.configFile, '--ignore-formatted'],
    { encoding: 'utf8' },
  );
  if (result.error) throw new KafkaToolError(`cannot run java (${result.error.message}): install Java 17`);
  if (result.status !== 0) {
    throw new KafkaToolError(`formatting ${node.dataDir} failed:\n${result.stdout}\n${result.stderr}`);
  }
}

function launch(node, stateDir, jars) {
  const out = fs.openSync(node.logFile, 'a');
  const heap = process.env.TRIBUTARY_KAFKA_HEAP || '512m';
  const child = spawn(
    javaBin(),
    [
      `-Xms${heap === '512m' ? '256m' : heap}`,
      `-Xmx${heap}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${path.join(stateDir, 'log4j.properties')}`,
      `-Dkafka.logs.dir=${node.dir}`,
      '-cp',
      `${jars}/*`,
      'kafka.Kafka',
      node.configFile,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  child.unref();
  fs.writeFileSync(node.pidFile, String(child.pid));
  return child.pid;
}

async function brokerCount(brokers) {
  let kafkajs;
  try {
    kafkajs = require('kafkajs');
  } catch {
    return undefined; // kafkajs not installed yet: fall back to port checks
  }
  const kafka = new kafkajs.Kafka({
    clientId: 'tributary-kafka-tool',
    brokers,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers: live } = await admin.describeCluster();
    return live.length;
  } catch {
    return 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function waitReady(cluster, nodes, expectedBrokers) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    for (const node of nodes) {
      if (!runningPid(node)) {
        throw new KafkaToolError(`broker ${node.id} exited during start-up. Last log lines:\n${tail(node.logFile)}`);
      }
    }
    const open = await Promise.all(nodes.map((n) => portOpen(n.port)));
    if (open.every(Boolean)) {
      const count = await brokerCount(nodes.map((n) => `127.0.0.1:${n.port}`));
      if (count === undefined || count >= expectedBrokers) return;
    }
    await sleep(300);
  }
  throw new KafkaToolError(
    `Kafka did not become ready within ${READY_TIMEOUT_MS} ms. Last log lines:\n${tail(nodes[0].logFile)}`,
  );
}

/**
 * Start a cluster (or the nodes of it that are not running). Starting twice is harmless.
 * @returns {Promise<{name:string, brokers:string[]}>}
 */
async function start(options = {}) {
  const cluster = layout(options);
  const alreadyRunning = cluster.nodes.filter((n) => runningPid(n));
  if (alreadyRunning.length === cluster.nodes.length && !options.fresh) {
    log(`${cluster.name} already running on ${cluster.brokers.join(',')}`);
    return { name: cluster.name, brokers: cluster.brokers };
  }
  if (options.fresh) await stop({ name: cluster.name });
  const jars = ensureJars();
  const clusterId = prepare(cluster, Boolean(options.fresh));
  const toStart = cluster.nodes.filter((n) => !runningPid(n));
  for (const node of toStart) {
    for (const port of [node.port, node.controllerPort]) {
      if (await portOpen(port, 300)) {
        throw new KafkaToolError(`port ${port} is already in use by another process: choose another with --port`);
      }
    }
  }
  for (const node of cluster.nodes) {
    node.cluster = cluster;
    format(node, clusterId, jars);
  }
  for (const node of toStart) {
    const pid = launch(node, cluster.stateDir, jars);
    log(`started broker ${node.id} (pid ${pid}) on 127.0.0.1:${node.port}`);
  }
  try {
    await waitReady(cluster, cluster.nodes, cluster.nodes.length);
  } catch (e) {
    for (const node of toStart) killNode(node, 'SIGKILL');
    throw e;
  }
  log(`${cluster.name} ready on ${cluster.brokers.join(',')}`);
  return { name: cluster.name, brokers: cluster.brokers };
}

function killNode(node, signal) {
  const pid = runningPid(node);
  if (!pid) return undefined;
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
  return pid;
}

async function waitGone(node, pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return true;
    await sleep(100);
  }
  return false;
}

/** Stop the whole cluster, or one node of it with { node: N }. */
async function stop(options = {}) {
  const cluster = layout(options);
  const nodes = options.node ? cluster.nodes.filter((n) => n.id === Number(options.node)) : cluster.nodes;
  if (options.node && nodes.length === 0) throw new KafkaToolError(`no node ${options.node} in ${cluster.name}`);
  const signal = options.signal || 'SIGTERM';
  // Stopping a whole multi-node cluster, the last brokers lose the controller quorum and wait for a
  // controlled shutdown that cannot happen: give them less time before the kill.
  const timeoutMs = !options.node && cluster.nodes.length > 1 ? 8_000 : STOP_TIMEOUT_MS;
  const stopping = nodes.map((node) => ({ node, pid: killNode(node, signal) })).filter((x) => x.pid);
  await Promise.all(
    stopping.map(async ({ node, pid }) => {
      if (!(await waitGone(node, pid, timeoutMs))) {
        log(`broker ${node.id} did not stop within ${timeoutMs} ms; killing it`);
        process.kill(pid, 'SIGKILL');
        await waitGone(node, pid, 5000);
      }
      fs.rmSync(node.pidFile, { force: true });
      log(`stopped broker ${node.id}`);
    }),
  );
  if (stopping.length === 0) log(`${cluster.name}: nothing running`);
}

/** Start one stopped node of an existing cluster again and wait until the cluster sees it. */
async function startNode(options) {
  const cluster = layout(options);
  const node = cluster.nodes.find((n) => n.id === Number(options.node));
  if (!node) throw new KafkaToolError(`no node ${options.node} in ${cluster.name}`);
  if (runningPid(node)) return { name: cluster.name, brokers: cluster.brokers };
  const jars = ensureJars();
  launch(node, cluster.stateDir, jars);
  await waitReady(cluster, [node], cluster.nodes.length);
  log(`broker ${node.id} back on 127.0.0.1:${node.port}`);
  return { name: cluster.name, brokers: cluster.brokers };
}

async function restart(options) {
  await stop(options);
  return options.node ? startNode(options) : start(options);
}

function status(options = {}) {
  const cluster = layout(options);
  return {
    name: cluster.name,
    brokers: cluster.brokers,
    nodes: cluster.nodes.map((n) => ({ id: n.id, port: n.port, pid: runningPid(n) || null, running: Boolean(runningPid(n)) })),
  };
}

function parseArgs(argv) {
  const [command, ...rest] = argv;
  const options = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) throw new KafkaToolError(`unexpected argument "${arg}"`);
    const key = arg.slice(2);
    if (key === 'fresh') options.fresh = true;
    else if (['name', 'port', 'nodes', 'node'].includes(key)) options[key] = rest[++i];
    else throw new KafkaToolError(`unknown option --${key}`);
  }
  return { command, options };
}

async function main() {
  const { command, options } = parseArgs(process.argv.slice(2));
  switch (command) {
    case 'start': {
      const result = await start(options);
      process.stdout.write(`${result.brokers.join(',')}\n`);
      break;
    }
    case 'stop':
      await stop(options);
      break;
    case 'restart':
      await restart(options);
      break;
    case 'status': {
      const s = status(options);
      for (const n of s.nodes) {
        process.stdout.write(`${s.name} node ${n.id} 127.0.0.1:${n.port} ${n.running ? `running (pid ${n.pid})` : 'stopped'}\n`);
      }
      process.exitCode = s.nodes.every((n) => n.running) ? 0 : 3;
      break;
    }
    case 'fetch':
      process.stdout.write(`${ensureJars()}\n`);
      break;
    default:
      throw new KafkaToolError('usage: kafka.js start|stop|restart|status|fetch [--name N] [--port P] [--nodes K] [--node I] [--fresh]');
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`[kafka] ${e instanceof KafkaToolError ? e.message : e.stack}\n`);
    process.exit(1);
  });
}

module.exports = { start, stop, startNode, restart, status, ensureJars, newClusterId, KafkaToolError };
