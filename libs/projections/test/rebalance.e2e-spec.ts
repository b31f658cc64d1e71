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

/** A test's own 4-partition topic and event class: no test reads another's messages. */
async function ownCounterTopic() {
  const events = defineCounterEvents('rebalance');
  await createTopics([{ topic: events.topic, numPartitions: 4 }]);
  return events;
}
type CounterTopic = Awaited<ReturnType<typeof ownCounterTopic>>;

describe('several instances and redeliveries (PostgreSQL)', () => {
  let ds: DataSource;
  let producer: TestProducer;
  const tables: string[] = [];
  const apps = new Set<INestApplicationContext>();

  /** The same projection (name, tables) as deployed on one instance; `groupId` lets a test put instances in different groups. */
  function instance({ CounterIncremented }: CounterTopic, name: string, log: string, groupId?: string) {
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

  async function start(source: CounterTopic, name: string, log: string, groupId?: string): Promise<INestApplicationContext> {
    const app = await startProjectionsApp({
      dataSource: ds,
      providers: [instance(source, name, log, groupId)],
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
    producer = await TestProducer.connect();
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await producer?.close();
    for (const t of tables) await ds?.query(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    await closeDataSource(ds);
  });

  /** The log holds exactly the `sent` events, each once (sorted ids compared: a missing, extra or doubled one shows). */
  async function expectAppliedOnce(log: string, sent: string[]): Promise<void> {
    await waitFor(async () => (await readLog(ds, log)).length >= sent.length, { timeoutMs: 60_000, description: `${sent.length} applied events` });
    const rows = await readLog(ds, log);
    expect(rows.map((r) => r.event_id).sort()).toEqual([...sent].sort());
  }

  it('applies each event once while instances join and leave the group', async () => {
    const source = await ownCounterTopic();
    const { topic, type } = source;
    const log = await createLogTable(ds);
    tables.push(log);
    const name = uniqueName('rebalance');
    const events = counterEvents(16, 60);
    const sent = await producer.sendEvents(topic, type, events);

    const a = await start(source, name, log);
    await waitFor(async () => (await readLog(ds, log)).length > 100, { timeoutMs: 30_000, description: 'first instance applying' });
    const b = await start(source, name, log); // rebalance: partitions move from a to b mid-stream
    await waitFor(async () => (await readLog(ds, log)).length > 400, { timeoutMs: 30_000, description: 'both instances applying' });
    await close(a); // rebalance again: b takes everything
    await expectAppliedOnce(log, sent);

    // The same event ids published again (an at-least-once producer after a timeout) are dropped by the inbox.
    const ids = (await readLog(ds, log)).slice(0, 50).map((r) => r.event_id);
    await producer.sendEvents(topic, type, ids.map((eventId, i) => ({ ...events[i], eventId })));
    await waitFor(async () => (await b.get(ProjectionsService).status(name)).lag === 0, { timeoutMs: 30_000, description: 'b to catch up' });
    await expectAppliedOnce(log, sent);
    await close(b);
  }, 120_000);

  it('applies each event once when two consumers receive every message at the same time', async () => {
    const source = await ownCounterTopic();
    const { topic, type } = source;
    const log = await createLogTable(ds);
    tables.push(log);
    const name = uniqueName('double-delivery');
    // Two groups: every message is delivered to both, as after a rebalance that raced a fetch.
    // Only the checkpoint lock and the inbox stand between them and a double apply.
    const first = await start(source, name, log, uniqueName('group-a'));
    const second = await start(source, name, log, uniqueName('group-b'));
    const consumers = [first, second].map((app) => app.get(ProjectionsService));
    // Both assigned (and positioned at the start) before anything is sent: each will see every event.
    await waitFor(() => consumers.every((c) => c.state(name) === 'running'), { timeoutMs: 30_000, description: 'both consumers assigned' });
    const events = counterEvents(8, 40);
    const sent = await producer.sendEvents(topic, type, events);
    const statuses = () => Promise.all(consumers.map((c) => c.status(name)));
    await waitFor(async () => (await statuses()).every((s) => s.applied + s.duplicates >= events.length), {
      timeoutMs: 60_000,
      description: 'both consumers to have handled every event',
    });
    await expectAppliedOnce(log, sent);
    const [a, b] = await statuses();
    // Each event is applied by one consumer and refused (checkpoint or inbox) by the other.
    expect(a.applied + b.applied).toBe(events.length);
    expect(a.duplicates + b.duplicates).toBe(events.length);
  }, 120_000);
});
