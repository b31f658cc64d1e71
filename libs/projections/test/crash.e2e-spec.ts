import { testBrokers, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import { Kafka, logLevel } from 'kafkajs';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import {
  closeDataSource,
  counterEvents,
  createLogTable,
  createTopics,
  openDataSource,
  readLog,
  TestProducer,
} from './support/projection-fixtures';

const ROOT = resolve(__dirname, '../../..');

async function highWatermarks(topic: string): Promise<Map<number, number>> {
  const admin = new Kafka({ clientId: 'crash-test-admin', brokers: testBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.filter((o) => Number(o.high) > 0).map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** A projection process started from crash-worker.process.ts, with its stdout lines counted. */
class WorkerProcess {
  lines: string[] = [];
  exited = false;
  private constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.lines.push(...chunk.split('\n').filter(Boolean)));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => process.stderr.write(chunk));
    child.on('exit', () => (this.exited = true));
  }

  static start(env: Record<string, string>): WorkerProcess {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'libs/projections/test/crash-worker.process.ts'],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new WorkerProcess(child);
  }

  /** Number of `applying` lines printed so far. */
  get applyingLines(): number {
    return this.lines.filter((l) => l.startsWith('applying')).length;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await exited;
  }
}

describe('crash safety: a projection process SIGKILLed mid-batch', () => {
  const topic = uniqueName('crash-events');
  const type = uniqueName('crash.incremented');
  const projection = uniqueName('crash');
  let ds: DataSource;
  let log: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    ds = await openDataSource('postgres');
    log = await createLogTable(ds, uniqueIdentifier('crash_log'));
    await createTopics([{ topic, numPartitions: 3 }]);
  });

  afterAll(async () => {
    for (const w of workers) await w.kill('SIGKILL');
    for (const t of [log, `${log}_cp`, `${log}_inbox`]) await ds?.query(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    await closeDataSource(ds);
  });

  it('applies every event exactly once across two kills and restarts', async () => {
    const events = counterEvents(9, 200); // 1800 events over 3 partitions
    const producer = await TestProducer.connect();
    await producer.sendEvents(topic, type, events);
    await producer.close();
    const env = {
      KAFKA_BROKERS: testBrokers().join(','),
      CRASH_TOPIC: topic,
      CRASH_EVENT_TYPE: type,
      CRASH_PROJECTION: projection,
      CRASH_LOG_TABLE: log,
    };
    const committed = async () => (await ds.query(`SELECT count(*)::int AS n FROM ${log}`))[0].n as number;

    for (const killAt of [300, 900]) {
      const worker = WorkerProcess.start(env);
      workers.push(worker);
      await waitFor(async () => (await committed()) >= killAt, { timeoutMs: 60_000, description: `${killAt} committed events` });
      // Kill right after a handler ran inside a transaction that is not committed yet.
      const seen = worker.applyingLines;
      await waitFor(() => worker.applyingLines > seen, { timeoutMs: 30_000, description: 'a handler in a running batch' });
      await worker.kill('SIGKILL');
      expect(await committed()).toBeLessThan(events.length);
    }

    const last = WorkerProcess.start(env);
    workers.push(last);
    await waitFor(async () => (await committed()) >= events.length, { timeoutMs: 90_000, description: 'all events applied' });
    // Let the checkpoint reach the end of every partition, then nothing more may be applied.
    const ends = await highWatermarks(topic);
    const cp = await waitFor(
      async () => {
        const rows = (await ds.query(`SELECT topic_partition, last_offset FROM ${log}_cp WHERE projection = $1`, [projection])) as Array<{
          topic_partition: number;
          last_offset: string;
        }>;
        const done = rows.filter((r) => Number(r.last_offset) + 1 === ends.get(Number(r.topic_partition)));
        return done.length === ends.size ? rows : undefined;
      },
      { timeoutMs: 30_000, description: 'checkpoints at the end of each partition' },
    );
    expect(cp.length).toBe(ends.size);
    await last.kill('SIGTERM');

    const rows = await readLog(ds, log);
    expect(rows).toHaveLength(events.length);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(events.length);
    const inbox = (await ds.query(`SELECT count(*)::int AS n FROM ${log}_inbox WHERE projection = $1`, [projection]))[0].n;
    expect(inbox).toBe(events.length);
  }, 180_000);
});

