import { testBrokers, uniqueName } from '@tributary/testing';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..');
const rootPkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const version = (name: string): string => rootPkg.dependencies[name] ?? rootPkg.devDependencies[name];

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
}

/**
 * The real test of "add the modules to a Nest app": build and pack every lib, install the
 * tarballs into an app in a temp folder outside the repo, compile it and boot it against Kafka.
 */
describe('packed @tributary/* tarballs in a scratch Nest app', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-scratch-'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('installs, compiles and runs a round trip through the broker', () => {
    // TRIBUTARY_PACK_LIBS narrows the set while a lib is being written; by default every lib is packed.
    const libs = (process.env.TRIBUTARY_PACK_LIBS?.split(',') ?? fs.readdirSync(path.join(repo, 'libs'))).filter((l) =>
      fs.existsSync(path.join(repo, 'libs', l, 'package.json')),
    );
    run(process.execPath, [path.join(repo, 'tools/build-libs.js'), ...libs], repo);
    const tarballs: Record<string, string> = {};
    for (const lib of libs) {
      const out = run('npm', ['pack', '--silent', '--pack-destination', dir], path.join(repo, 'libs', lib)).trim().split('\n').pop()!;
      tarballs[`@tributary/${lib}`] = `file:./${out}`;
    }
    const peers = ['@nestjs/common', '@nestjs/core', 'kafkajs', 'reflect-metadata', 'rxjs', 'class-validator', 'class-transformer', 'typeorm', 'pg', '@nestjs/microservices'];
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify(
        {
          name: 'scratch-app',
          private: true,
          dependencies: { ...tarballs, ...Object.fromEntries(peers.map((p) => [p, version(p)])) },
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
