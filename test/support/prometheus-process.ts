import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { waitFor } from '@tributary/testing';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

/** Throws, naming the install script, when the Debian prometheus package is missing. */
export function requirePrometheusTools(): void {
  const missing = [PROMETHEUS_BIN, PROMTOOL_BIN].filter((bin) => !fs.existsSync(bin));
  if (missing.length > 0) {
    throw new Error(`${missing.join(' and ')} not found: install Prometheus and promtool with \`bash tools/install-system-deps.sh\` (Debian package prometheus)`);
  }
}

/** Runs promtool; returns its exit code and output. */
export function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL_BIN, args, { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface PrometheusSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A real Prometheus server on loopback, with its own config and data directory. */
export class PrometheusProcess {
  private exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts Prometheus with `config` (YAML text) in `dir` and waits until it is ready. */
  static async start(dir: string, config: string): Promise<PrometheusProcess> {
    const port = await freePort();
    const configFile = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(configFile, config);
    const logFile = path.join(dir, 'prometheus.log');
    const log = fs.openSync(logFile, 'w');
    const child = spawn(
      PROMETHEUS_BIN,
      [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    const prometheus = new PrometheusProcess(child, `http://127.0.0.1:${port}`, logFile);
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${fs.readFileSync(logFile, 'utf8')}`);
          return (await fetch(`${prometheus.url}/-/ready`)).ok;
        },
        { timeoutMs: 30_000, intervalMs: 200, description: 'Prometheus to be ready' },
      );
    } catch (e) {
      await prometheus.stop();
      throw e;
    }
    return prometheus;
  }

  /** GET an API path; returns `data`, throws on an error status. */
  async api<T>(pathAndQuery: string): Promise<T> {
    const response = await fetch(`${this.url}${pathAndQuery}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${pathAndQuery}: ${body.error ?? body.status}`);
    return body.data;
  }

  /** An instant query's vector. */
  async query(promql: string): Promise<PrometheusSample[]> {
    const data = await this.api<{ resultType: string; result: PrometheusSample[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`);
    return data.result;
  }

  /** SIGTERM, then wait for the process to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
