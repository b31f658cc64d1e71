import type { INestApplicationContext } from '@nestjs/common';
import { On, Projection, ProjectionsService, type ProjectionContext } from '@tributary/projections';
import { uniqueName, waitFor } from '@tributary/testing';
import type { DataSource } from 'typeorm';
import {
  closeDataSource,
  counterEvents,
  createLogTable,
  createTopics,
  defineCounterEvents,
  logApplication,
  openDataSource,
  readLog,
  startProjectionsApp,
  TestProducer,
} from './support/projection-fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('several instances and redeliveries (PostgreSQL)', () => {
  const { topic, type, CounterIncremented } = defineCounterEvents('rebalance');
  let ds: DataSource;
  let producer: TestProducer;
  const tables: string[] = [];
  const apps = new Set<INestApplicationContext>();

  /** The same projection (name, tables) as deployed on one instance; `groupId` lets a test put instances in different groups. */
  function instance(name: string, log: string, groupId?: string) {
    @Projection({ name, tables: [log], groupId })
    class SlowCounterLog {
      @On(CounterIncremented)
      async incremented(event: InstanceType<typeof CounterIncremented>, ctx: ProjectionContext) {
        await logApplication(ctx.manager, log, event, ctx);
        // Slow handlers keep batches open while partitions move between instances.
        if (event.seq % 10 === 0) await sleep(5);
      }
    }
    return SlowCounterLog;
  }

  async function start(name: string, log: string, groupId?: string): Promise<INestApplicationContext> {
    const app = await startProjectionsApp({
      dataSource: ds,
      providers: [instance(name, log, groupId)],
      projections: { consumer: { sessionTimeout: 6000, heartbeatInterval: 500, maxBytesPerPartition: 8192 } },
    });
    apps.add(app);
    return app;
  }

  async function close(app: INestApplicationContext): Promise<void> {
    apps.delete(app);
    await app.close();
  }

  beforeAll(async () => {
    ds = await openDataSource('postgres');
    await createTopics([{ topic, numPartitions: 4 }]);
    producer = await TestProducer.connect();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await producer?.close();
    for (const t of tables) await ds?.query(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    await closeDataSource(ds);
  });

  async function expectAppliedOnce(log: string, expected: number): Promise<void> {
    await waitFor(async () => (await readLog(ds, log)).length >= expected, { timeoutMs: 60_000, description: `${expected} applied events` });
    const rows = await readLog(ds, log);
    expect(rows).toHaveLength(expected);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(expected);
  }

  it('applies each event once while instances join and leave the group', async () => {
    const log = await createLogTable(ds);
    tables.push(log);
    const name = uniqueName('rebalance');
    const events = counterEvents(16, 60);
    await producer.sendEvents(topic, type, events);

    const a = await start(name, log);
    await waitFor(async () => (await readLog(ds, log)).length > 100, { timeoutMs: 30_000, description: 'first instance applying' });
    const b = await start(name, log); // rebalance: partitions move from a to b mid-stream
    await waitFor(async () => (await readLog(ds, log)).length > 400, { timeoutMs: 30_000, description: 'both instances applying' });
    await close(a); // rebalance again: b takes everything
    await expectAppliedOnce(log, events.length);

    // The same event ids published again (an at-least-once producer after a timeout) are dropped by the inbox.
    const ids = (await readLog(ds, log)).slice(0, 50).map((r) => r.event_id);
    await producer.sendEvents(topic, type, ids.map((eventId, i) => ({ ...events[i], eventId })));
    await waitFor(async () => (await b.get(ProjectionsService).status(name)).lag === 0, { timeoutMs: 30_000, description: 'b to catch up' });
    await expectAppliedOnce(log, events.length);
    await close(b);
  }, 120_000);

  it('applies each event once when two consumers receive every message at the same time', async () => {
    const log = await createLogTable(ds);
    tables.push(log);
    const name = uniqueName('double-delivery');
    // Two groups: every message is delivered to both, as after a rebalance that raced a fetch.
    // Only the checkpoint lock and the inbox stand between them and a double apply.
    const first = await start(name, log, uniqueName('group-a'));
    const second = await start(name, log, uniqueName('group-b'));
    const events = counterEvents(8, 40);
    await producer.sendEvents(topic, type, events);
    await waitFor(
      async () => (await first.get(ProjectionsService).status(name)).lag === 0 && (await second.get(ProjectionsService).status(name)).lag === 0,
      { timeoutMs: 60_000, description: 'both consumers at the end' },
    );
    // The topic also holds the first test's messages (960 + 50 re-sent ids): 960 + 320 distinct events.
    await expectAppliedOnce(log, 16 * 60 + events.length);
    const duplicates =
      (await first.get(ProjectionsService).status(name)).duplicates + (await second.get(ProjectionsService).status(name)).duplicates;
    expect(duplicates).toBeGreaterThanOrEqual(16 * 60 + events.length);
  }, 120_000);
});
