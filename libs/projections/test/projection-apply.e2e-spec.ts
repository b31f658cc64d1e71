import type { INestApplicationContext } from '@nestjs/common';
import { ServiceTopology } from '@tributary/kafka';
import { On, Projection, projectionsMigrations, ProjectionsService, type ProjectionContext } from '@tributary/projections';
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
  type Dialect,
} from './support/projection-fixtures';

// PostgreSQL and MariaDB with forRoot, SQLite with forRootAsync and a custom DataSource token.
describe.each<Dialect>(['postgres', 'mariadb', 'sqlite'])('projection apply on %s', (dialect) => {
  const { topic, type, CounterIncremented } = defineCounterEvents(`apply-${dialect}`);
  const name = uniqueName(`apply-${dialect}`);
  let ds: DataSource;
  let app: INestApplicationContext;
  let producer: TestProducer;
  let log: string;
  let copy: string;
  const handlerOrder = new Map<string, number[]>();
  const tables = { checkpoints: `${name.replace(/-/g, '_')}_cp`, inbox: `${name.replace(/-/g, '_')}_inbox` };

  beforeAll(async () => {
    ds = await openDataSource(dialect);
    log = await createLogTable(ds);
    copy = await createLogTable(ds);
    await createTopics([{ topic, numPartitions: 3 }]);
    producer = await TestProducer.connect();

    @Projection({ name, tables: [log] })
    class CounterLog {
      @On(CounterIncremented)
      async incremented(event: InstanceType<typeof CounterIncremented>, ctx: ProjectionContext) {
        if (!(event instanceof CounterIncremented)) throw new Error('handler got a plain object');
        const seqs = handlerOrder.get(event.counterId) ?? [];
        seqs.push(event.seq);
        handlerOrder.set(event.counterId, seqs);
        await logApplication(ctx.manager, log, event, ctx);
      }
    }
    // A second projection of the same events in the same app: on SQLite the two take turns on the one connection.
    @Projection({ name: `${name}-copy`, tables: [copy] })
    class CounterLogCopy {
      @On(CounterIncremented)
      async incremented(event: InstanceType<typeof CounterIncremented>, ctx: ProjectionContext) {
        await logApplication(ctx.manager, copy, event, ctx);
      }
    }

    // The shipped migration creates the bookkeeping tables (createTables: false), on every dialect.
    const queryRunner = ds.createQueryRunner();
    await new (projectionsMigrations(tables)[0])().up(queryRunner);
    await queryRunner.release();
    app = await startProjectionsApp({
      dataSource: ds,
      providers: [CounterLog, CounterLogCopy],
      projections: { tables, createTables: false },
      useAsync: dialect === 'sqlite',
    });
  });

  afterAll(async () => {
    await app?.close();
    await producer?.close();
    for (const table of [log, copy]) await ds?.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    if (ds?.isInitialized) {
      const queryRunner = ds.createQueryRunner();
      await new (projectionsMigrations(tables)[0])().down(queryRunner);
      await queryRunner.release();
    }
    await closeDataSource(ds);
  });

  it('applies every event once, in per-key order, and skips a re-sent event id', async () => {
    const events = counterEvents(6, 20);
    const ids = await producer.sendEvents(topic, type, events);
    // The same event ids again (an at-least-once producer retrying): the inbox drops them.
    await producer.sendEvents(topic, type, events.slice(0, 15).map((e, i) => ({ ...e, eventId: ids[i] })));

    const service = app.get(ProjectionsService);
    await waitFor(async () => (await service.status(name)).lag === 0 && (await readLog(ds, log)).length >= events.length, {
      timeoutMs: 60_000,
      description: 'projection to catch up',
    });
    await waitFor(async () => (await service.status(`${name}-copy`)).lag === 0, { timeoutMs: 60_000, description: 'the copy to catch up' });
    const rows = await readLog(ds, log);
    // Exactly the sent events, each once (the 15 re-sent ids were duplicates).
    expect(rows.map((r) => r.event_id).sort()).toEqual([...ids].sort());
    expect((await readLog(ds, copy)).map((r) => r.event_id).sort()).toEqual(rows.map((r) => r.event_id).sort());
    for (const [, seqs] of handlerOrder) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const status = await service.status(name);
    expect(status.state).toBe('running');
    expect(status.applied).toBe(events.length);
    expect(status.duplicates).toBeGreaterThanOrEqual(15);
    expect(status.partitions).toHaveLength(3);
    expect(app.get(ServiceTopology).snapshot().consumes).toContainEqual({ type, topic, consumer: `projection:${name}` });
  });
});
