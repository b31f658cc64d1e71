import { testBrokers, uniqueName } from '@tributary/testing';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..');
const rootPkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const version = (name: string): string => rootPkg.dependencies[name] ?? rootPkg.devDependencies[name];
const PEERS = ['@nestjs/common', '@nestjs/core', '@nestjs/microservices', 'kafkajs', 'reflect-metadata', 'rxjs', 'class-validator', 'class-transformer', 'typeorm', 'pg'];

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
}

/**
 * The real test of "add the modules to a Nest app": build and pack every lib, install the
 * tarballs into an app in a temp folder outside the repo, compile it and boot it against Kafka.
 */
describe('packed @tributary/* tarballs in a scratch Nest app', () => {
  const dirs: string[] = [];
  const tarballs: Record<string, string> = {};
  // TRIBUTARY_PACK_LIBS narrows the set while a lib is being written; by default every lib is packed.
  const libs = (process.env.TRIBUTARY_PACK_LIBS?.split(',') ?? fs.readdirSync(path.join(repo, 'libs'))).filter((l) =>
    fs.existsSync(path.join(repo, 'libs', l, 'package.json')),
  );

  beforeAll(() => {
    const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-pack-'));
    dirs.push(packDir);
    run(process.execPath, [path.join(repo, 'tools/build-libs.js'), ...libs], repo);
    for (const lib of libs) {
      const out = run('npm', ['pack', '--silent', '--pack-destination', packDir], path.join(repo, 'libs', lib)).trim().split('\n').pop()!;
      tarballs[`@tributary/${lib}`] = `file:${path.join(packDir, out)}`;
    }
  }, 300_000);

  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  // Nest 11 is what the repo develops on; Nest 12 is ESM-only and loads through require(esm).
  it.each([
    ['11', {}],
    ['12', { '@nestjs/common': '^12.0.0', '@nestjs/core': '^12.0.0', '@nestjs/microservices': '^12.0.0' }],
  ])('installs, compiles and runs a round trip through the broker with Nest %s', (nest, overrides: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-scratch-'));
    dirs.push(dir);
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify(
        {
          name: 'scratch-app',
          private: true,
          dependencies: { ...tarballs, ...Object.fromEntries(PEERS.map((p) => [p, version(p)])), ...overrides },
          devDependencies: { '@types/node': version('@types/node') },
        },
        null,
        2,
      ),
    );
    fs.mkdirSync(path.join(dir, 'src'));
    fs.copyFileSync(path.join(__dirname, 'scratch-app', 'main.ts'), path.join(dir, 'src', 'main.ts'));
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
    // The repo's own TypeScript compiles the app; types come only from the scratch node_modules.
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], dir);
    const out = run(process.execPath, ['dist/main.js'], dir, {
      ...process.env,
      KAFKA_BROKERS: testBrokers().join(','),
      TOPIC: uniqueName('scratch'),
      TRIBUTARY_LIBS: libs.filter((l) => l !== 'kafka').join(','),
    });
    expect(out).toMatch(/SCRATCH_OK [0-9a-f-]{36}/);
  }, 400_000);
});
