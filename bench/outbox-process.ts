/** Child processes of the outbox benchmark (load generator, relays): ts-node, RESULT line on stdout. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Run `bench/<script>` with `env` added and resolve to the JSON after `RESULT ` on its stdout. */
export async function runBenchProcess<T>(script: string, env: Record<string, string>): Promise<T> {
  const root = join(__dirname, '..');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, script)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TS_NODE_PROJECT: join(root, 'tsconfig.json'), ...env },
  });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`${script} failed (exit ${code})`);
  return JSON.parse(line.slice('RESULT '.length)) as T;
}
