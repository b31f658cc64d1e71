import type { INestApplicationContext } from '@nestjs/common';
import { On, Projection, ProjectionsService, type ProjectionContext } from '@tributary/projections';
import { uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import type { DataSource } from 'typeorm';
import { createProjectionStore } from '../src/persistence/dialect-stores';
import {
  closeDataSource,
  createLogTable,
  createTopics,
  defineCounterEvents,
  logApplication,
  openDataSource,
  readLog,
  startProjectionsApp,
  TestProducer,
  type Dialect,
} from './support/projection-fixtures';

const HOUR_MS = 3_600_000;

/** SQL that dates inbox rows two hours back, by the database's own clock (the one that wrote them). */
const TWO_HOURS_AGO: Record<Dialect, string> = {
  postgres: "now() - interval '2 hours'",
  mariadb: 'NOW(3) - INTERVAL 2 HOUR',
  sqlite: "datetime('now', '-2 hours')",
};

describe.each<Dialect>(['postgres', 'mariadb', 'sqlite'])('inbox retention on %s', (dialect) => {
  const { topic, type, CounterIncremented } = defineCounterEvents(`retention-${dialect}`);
  const name = uniqueName(`retention-${dialect}`);
  const tables = { checkpoints: uniqueIdentifier('ret_cp'), inbox: uniqueIdentifier('ret_inbox') };
  const param = (i: number) => (dialect === 'postgres' ? `$${i}` : '?');
  const placeholders = (count: number, from: number) => Array.from({ length: count }, (_, i) => param(from + i)).join(', ');
  let ds: DataSource;
  let app: INestApplicationContext | undefined;
  let producer: TestProducer;
  let log: string;

  async function backdate(projection: string, eventIds: string[]): Promise<void> {
    await ds.query(
      `UPDATE ${tables.inbox} SET applied_at = ${TWO_HOURS_AGO[dialect]} WHERE projection = ${param(1)} AND event_id IN (${placeholders(eventIds.length, 2)})`,
      [projection, ...eventIds],
    );
  }

  async function inbox(projection: string): Promise<Array<{ event_id: string; outcome: string }>> {
    const rows = (await ds.query(`SELECT event_id, outcome FROM ${tables.inbox} WHERE projection = ${param(1)}`, [projection])) as Array<{
      event_id: string;
      outcome: string;
    }>;
    return rows.map((r) => ({ event_id: r.event_id, outcome: r.outcome })).sort((a, b) => a.event_id.localeCompare(b.event_id));
  }

  beforeAll(async () => {
    ds = await openDataSource(dialect);
    log = await createLogTable(ds);
    await createTopics([{ topic }]);
    producer = await TestProducer.connect();
  });

  afterAll(async () => {
    await app?.close();
    await producer?.close();
    for (const t of [log, tables.inbox, tables.checkpoints]) await ds?.query(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    await closeDataSource(ds);
  });

  it('upgrades tables of the first version, then deletes expired ids in statements of at most the batch size', async () => {
    const store = createProjectionStore(ds.options.type, tables.checkpoints, tables.inbox);
    // Tables as the first version created them (no outcome column, no retention index), with ids in them.
    await store.runDdl(ds, store.createTablesSql());
    const projection = uniqueName('store-only');
    const ids = Array.from({ length: 25 }, (_, i) => `evt-${String(i).padStart(2, '0')}`);
    await store.claimEventIds(ds, projection, ids.map((eventId, i) => ({ eventId, topic, partition: 0, offset: String(i) })));
    // The upgrade, twice (a second instance, or createTables after the migrations).
    await store.createTables(ds);
    await store.createTables(ds);
    expect((await inbox(projection)).every((r) => r.outcome === 'applied')).toBe(true);

    await backdate(projection, ids.slice(0, 18));
    const deleted: number[] = [];
    for (;;) {
      const n = await store.deleteExpiredInbox(ds, projection, HOUR_MS, 5);
      deleted.push(n);
      if (n === 0) break;
    }
    expect(deleted).toEqual([5, 5, 5, 3, 0]);
    expect((await inbox(projection)).map((r) => r.event_id)).toEqual(ids.slice(18));
  });

  it('sweeps ids older than the window on a timer; newer ids stay and still refuse their duplicates', async () => {
    @Projection({ name, tables: [log] })
    class CounterLog {
      @On(CounterIncremented)
      async incremented(event: InstanceType<typeof CounterIncremented>, ctx: ProjectionContext) {
        await logApplication(ctx.manager, log, event, ctx);
      }
    }
    app = await startProjectionsApp({
      dataSource: ds,
      providers: [CounterLog],
      projections: { tables, inbox: { retentionMs: HOUR_MS, sweepIntervalMs: 200, sweepBatchSize: 3 } },
    });
    const service = app.get(ProjectionsService);
    const events = Array.from({ length: 12 }, (_, seq) => ({ key: 'c', payload: { counterId: 'c', amount: 1, seq } }));
    const ids = await producer.sendEvents(topic, type, events);
    await waitFor(() => service.applied(name) === 12, { timeoutMs: 60_000, description: '12 events applied' });

    // Nothing is old enough yet: every id survives the sweeps.
    await waitFor(async () => (await inbox(name)).length === 12, { description: 'all ids kept' });
    await backdate(name, ids.slice(0, 8));
    const kept = [...ids.slice(8)].sort();
    await waitFor(async () => (await inbox(name)).map((r) => r.event_id).join() === kept.join(), {
      timeoutMs: 30_000,
      description: 'the 8 backdated ids swept, the 4 recent ones kept',
    });

    // A copy of a kept id is refused; a copy of a swept id arrived after the window: applied again (documented).
    await producer.sendEvents(topic, type, [
      { ...events[10], eventId: ids[10] },
      { ...events[0], eventId: ids[0] },
    ]);
    await waitFor(async () => (await service.status(name)).lag === 0 && service.applied(name) === 13, {
      timeoutMs: 60_000,
      description: 'the two copies handled',
    });
    const status = await service.status(name);
    expect(status.duplicates).toBe(1);
    const rows = await readLog(ds, log);
    expect(rows.filter((r) => r.event_id === ids[10])).toHaveLength(1);
    expect(rows.filter((r) => r.event_id === ids[0])).toHaveLength(2);
  });
});
