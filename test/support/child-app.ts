import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from '@tributary/testing';

const ROOT = resolve(__dirname, '../..');

/**
 * A TypeScript script (usually a Nest app) running in a child process under ts-node with the repo's
 * path aliases, so a test can SIGKILL it; its stdout lines (and stderr lines, prefixed) are kept.
 */
export class ChildApp {
  readonly lines: string[] = [];
  /** Resolves when the process is gone, with its exit code or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly process: ChildProcess) {
    let buffered = '';
    process.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    process.stderr!.on('data', (chunk: Buffer) => {
      if (process.exitCode === null) this.lines.push(...chunk.toString('utf8').split('\n').map((l) => `stderr: ${l}`));
    });
    this.exited = new Promise((done) => process.once('exit', (code, signal) => done({ code, signal })));
  }

  /** Start `script` (a .ts file, absolute or relative to the repo root) under ts-node with the repo's path aliases. */
  static start(script: string, env: Record<string, string>): ChildApp {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', script],
      { cwd: ROOT, env: { ...process.env, TS_NODE_PROJECT: resolve(ROOT, 'tsconfig.json'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new ChildApp(child);
  }

  /** Wait for a stdout line matching `pattern`; returns its match. */
  async waitForLine(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return waitFor(
      () => {
        if (this.process.exitCode !== null) throw new Error(`child exited with ${this.process.exitCode}: ${this.lines.slice(-20).join('\n')}`);
        for (const line of this.lines) {
          const m = pattern.exec(line);
          if (m) return m;
        }
        return undefined;
      },
      { timeoutMs, description: `child output ${pattern}` },
    );
  }

  /** Kill the child at once (no shutdown hooks run) and wait until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill(signal);
    await this.exited;
  }
}
