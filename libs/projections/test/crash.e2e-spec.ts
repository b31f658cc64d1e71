import { testBrokers, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import { Kafka, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { ChildApp } from '../../../test/support/child-app';
import {
  closeDataSource,
  counterEvents,
  createLogTable,
  createTopics,
  openDataSource,
  readLog,
  TestProducer,
} from './support/projection-fixtures';

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

const WORKER_SCRIPT = 'libs/projections/test/crash-worker.process.ts';

describe('crash safety: a projection process SIGKILLed mid-batch', () => {
  const topic = uniqueName('crash-events');
  const type = uniqueName('crash.incremented');
  const projection = uniqueName('crash');
  let ds: DataSource;
  let log: string;
  const workers: ChildApp[] = [];

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
    const sent = await producer.sendEvents(topic, type, events);
    await producer.close();
    const env = {
      KAFKA_BROKERS: testBrokers().join(','),
      CRASH_TOPIC: topic,
      CRASH_EVENT_TYPE: type,
      CRASH_PROJECTION: projection,
      CRASH_LOG_TABLE: log,
    };
    const committed = async () => (await ds.query(`SELECT count(*)::int AS n FROM ${log}`))[0].n as number;

    // Each worker holds inside a batch once 300 (then 900) events are committed, its transaction
    // open, and is killed there; the next one starts from the checkpoints.
    for (const holdAt of [300, 900]) {
      const worker = ChildApp.start(WORKER_SCRIPT, { ...env, CRASH_HOLD_AT_COMMITTED: String(holdAt) });
      workers.push(worker);
      // `holding` comes from inside an open batch once `holdAt` events are committed: the kill lands mid-batch.
      await worker.waitForLine(/^holding$/, 60_000);
      await worker.kill('SIGKILL');
    }

    const last = ChildApp.start(WORKER_SCRIPT, env);
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
    // Exactly the sent events, each once.
    expect(rows.map((r) => r.event_id).sort()).toEqual([...sent].sort());
    const inbox = (await ds.query(`SELECT count(*)::int AS n FROM ${log}_inbox WHERE projection = $1`, [projection]))[0].n;
    expect(inbox).toBe(events.length);
  }, 180_000);
});

