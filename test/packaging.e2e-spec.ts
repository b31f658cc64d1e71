import { testBrokers, uniqueIdentifier, uniqueName } from '@tributary/testing';
import { execFileSync } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pack, publishableLibs } = require('../tools/pack.js') as {
  pack(options: { outDir: string; libs: string[]; schematics: boolean }): Record<string, string>;
  publishableLibs(): string[];
};

const repo = path.resolve(__dirname, '..');
const rootPkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const version = (name: string): string => rootPkg.dependencies[name] ?? rootPkg.devDependencies[name];
const PEERS = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/microservices',
  '@opentelemetry/api',
  'class-transformer',
  'class-validator',
  'kafkajs',
  'pg',
  'prom-client',
  'reflect-metadata',
  'rxjs',
  'typeorm',
];
/** Libs the scratch app's flow imports: outbox -> Kafka -> projection -> RPC, with @tributary/testing's waitFor. */
const FLOW_LIBS = ['kafka', 'outbox', 'projections', 'rpc', 'testing'];

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env, timeout = 240_000): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout });
}

/** `names` plus every @tributary lib they depend on (dependencies and peers), transitively. */
function withTributaryDependencies(names: string[]): string[] {
  const all = new Set<string>();
  const visit = (lib: string): void => {
    if (all.has(lib)) return;
    all.add(lib);
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'libs', lib, 'package.json'), 'utf8'));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })) {
      if (dep.startsWith('@tributary/')) visit(dep.slice('@tributary/'.length));
    }
  };
  names.forEach(visit);
  return [...all].sort();
}

/**
 * The real test of "add the modules to a Nest app": build and pack every lib (tools/pack.js, the
 * same step as `npm run pack`), install the tarballs into an app in a temp folder outside the
 * repo, compile it and run one order through outbox -> Kafka -> projection -> RPC against the
 * broker and PostgreSQL; every other packed lib is at least loaded from its tarball.
 */
describe('packed @tributary/* tarballs in a scratch Nest app', () => {
  const dirs: string[] = [];
  let tarballs: Record<string, string> = {};
  // TRIBUTARY_PACK_LIBS narrows the set while a lib is being written (the flow's libs are always
  // packed); by default every lib with a package.json is packed, new ones included.
  const narrowed = process.env.TRIBUTARY_PACK_LIBS?.split(',').filter(Boolean);
  const libs = narrowed ? withTributaryDependencies([...narrowed, ...FLOW_LIBS]) : publishableLibs();

  beforeAll(() => {
    const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-pack-'));
    dirs.push(packDir);
    tarballs = pack({ outDir: packDir, libs, schematics: false });
  }, 900_000);

  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('packs every lib that has a package.json', () => {
    expect(Object.keys(tarballs).sort()).toEqual(libs.map((l) => `@tributary/${l}`));
    for (const file of Object.values(tarballs)) expect(fs.statSync(file).size).toBeGreaterThan(0);
  });

  // Nest 11 is what the repo develops on; Nest 12 is ESM-only and loads through require(esm).
  it.each([
    ['11', {}],
    ['12', { '@nestjs/common': '^12.0.0', '@nestjs/core': '^12.0.0', '@nestjs/microservices': '^12.0.0' }],
  ])('installs, compiles and runs outbox -> Kafka -> projection -> RPC with Nest %s', (nest, overrides: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-scratch-'));
    dirs.push(dir);
    const dependencies = {
      ...Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`])),
      ...Object.fromEntries(PEERS.map((p) => [p, version(p)])),
      ...overrides,
    };
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'scratch-app', private: true, dependencies, devDependencies: { '@types/node': version('@types/node') } }, null, 2),
    );
    fs.cpSync(path.join(__dirname, 'scratch-app'), path.join(dir, 'src'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'commonjs',
          target: 'ES2022',
          strict: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          skipLibCheck: true,
          outDir: 'dist',
          rootDir: 'src',
          types: ['node'],
        },
        include: ['src'],
      }),
    );
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'], dir);
    const installed = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules/@nestjs/core/package.json'), 'utf8'));
    expect(installed.version.split('.')[0]).toBe(nest);
    // Every @tributary package in the app comes from a tarball (none from a registry, none nested twice).
    const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    for (const [name, file] of Object.entries(tarballs)) {
      const entries = Object.entries(lock.packages).filter(([p]) => p.endsWith(`node_modules/${name}`));
      expect(entries.map(([p, e]) => [p, e.resolved && path.resolve(dir, e.resolved.replace(/^file:/, ''))])).toEqual([[`node_modules/${name}`, file]]);
    }
    // The repo's own TypeScript compiles the app; types come only from the scratch node_modules.
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], dir);

    const order = { orderId: randomUUID(), customer: `customer-${randomInt(1000)}`, amount: 1 + randomInt(1000) };
    const topic = uniqueName('scratch-orders');
    const out = run(
      process.execPath,
      ['dist/main.js'],
      dir,
      {
        ...process.env,
        KAFKA_BROKERS: testBrokers().join(','),
        SCRATCH_TOPIC: topic,
        SCRATCH_SERVICE: uniqueName('scratch'),
        SCRATCH_TABLE_PREFIX: uniqueIdentifier('scratch'),
        SCRATCH_ORDER_ID: order.orderId,
        SCRATCH_CUSTOMER: order.customer,
        SCRATCH_AMOUNT: String(order.amount),
        TRIBUTARY_LIBS: libs.join(','),
      },
      180_000,
    );
    const line = out.split('\n').find((l) => l.startsWith('SCRATCH_RESULT '));
    expect(line).toBeDefined();
    const result = JSON.parse(line!.slice('SCRATCH_RESULT '.length)) as { publishedEventId: string; answer: Record<string, unknown>; loaded: string[] };
    // The RPC answer is the read model's row: written by the projection from the event the outbox published.
    expect(result.publishedEventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(result.answer).toEqual({ ...order, eventId: result.publishedEventId, topic });
    expect(result.loaded.sort()).toEqual(libs);
  }, 600_000);
});
