import type { INestApplicationContext } from '@nestjs/common';
import { On, Projection, ProjectionsService, type ProjectionContext } from '@tributary/projections';
import { uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import { Registry } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import { closeDataSource, createTopics, defineCounterEvents, openDataSource, startProjectionsApp, TestProducer, type Dialect } from './support/projection-fixtures';

/** What differs per database: the update, and how partition 1's transaction makes sure it is not the one the database fails. */
const DIALECTS: Record<'postgres' | 'mariadb', { add: string; outweigh: (manager: EntityManager, scratch: string) => Promise<void> }> = {
  postgres: {
    add: `UPDATE {table} SET total = total + $1, events = events || $2 WHERE row_id = $3`,
    // The transaction whose deadlock_timeout runs out first checks for the deadlock and is failed.
    outweigh: async (manager) => {
      await manager.query(`SET LOCAL deadlock_timeout = '30s'`);
    },
  },
  mariadb: {
    add: `UPDATE {table} SET total = total + ?, events = CONCAT(events, ?) WHERE row_id = ?`,
    // InnoDB rolls back the transaction that changed fewer rows: this one writes 50 more.
    outweigh: async (manager, scratch) => {
      await manager.query(`INSERT INTO ${scratch} (n) VALUES ${Array.from({ length: 50 }, (_, i) => `(${i})`).join(', ')}`);
    },
  },
};

/**
 * Two batches of one projection applied at the same time lock the same two rows in opposite
 * orders: PostgreSQL breaks the deadlock by failing one of them. The batch that loses must be
 * rolled back as a whole and applied again; retrying the failing event in a savepoint keeps the
 * locks its earlier events took, meets the same deadlock every time and ends in a dead letter.
 *
 * Partition 0: e1 (fails once, so the batch runs the savepoint path; then locks row A), e2 (locks
 * row B). Partition 1: e3 (locks row B), e4 (locks row A). e2 and e4 wait until the other batch
 * holds its first row, so the two lock waits always cross. Partition 1's transaction makes sure it
 * is not the one the database fails (PostgreSQL: a longer `deadlock_timeout`; MariaDB: more rows
 * changed), so partition 0's savepoint path always meets the deadlock. On MariaDB, InnoDB rolls
 * back that whole transaction itself.
 */
describe.each<Dialect & keyof typeof DIALECTS>(['postgres', 'mariadb'])('a projection whose concurrent batches deadlock (%s)', (dialect) => {
  const { topic, type, CounterIncremented } = defineCounterEvents('conflicts');
  const name = uniqueName('conflicts');
  const table = uniqueIdentifier('stock');
  const scratch = uniqueIdentifier('scratch');
  const sql = DIALECTS[dialect];
  const registry = new Registry();
  let ds: DataSource;
  let app: INestApplicationContext | undefined;
  let producer: TestProducer;

  beforeAll(async () => {
    ds = await openDataSource(dialect);
    await ds.query(`CREATE TABLE ${table} (row_id varchar(10) PRIMARY KEY, total integer NOT NULL, events varchar(100) NOT NULL)`);
    await ds.query(`CREATE TABLE ${scratch} (n integer NOT NULL)`);
    await ds.query(`INSERT INTO ${table} VALUES ('A', 0, ''), ('B', 0, '')`);
    await createTopics([{ topic, numPartitions: 2 }]);
    producer = await TestProducer.connect();
  });

  afterAll(async () => {
    await app?.close();
    await producer?.close();
    for (const t of [table, scratch]) await ds?.query(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    await closeDataSource(ds);
  });

  async function conflicts(reason: string): Promise<number> {
    const metric = await registry.getSingleMetric('tributary_projection_transaction_conflicts_total')!.get();
    return metric.values.find((v) => v.labels.projection === name && v.labels.reason === reason)?.value ?? 0;
  }

  it('rolls the losing batch back and applies it again: every event applied once, nothing dead-lettered', async () => {
    const locked = { A: false, B: false };
    let e1Calls = 0;
    const add = async (manager: EntityManager, row: 'A' | 'B', seq: number) => {
      await manager.query(sql.add.replace('{table}', table), [seq, `e${seq};`, row]);
    };
    // Bounded: a wait that times out lets the handler go on (the test then fails on its checks).
    const until = (held: () => boolean) => waitFor(held, { timeoutMs: 10_000, intervalMs: 5, description: 'the other batch to lock its first row' }).catch(() => undefined);

    @Projection({ name, tables: [table] })
    class CrossedLocks {
      @On(CounterIncremented)
      async incremented(event: InstanceType<typeof CounterIncremented>, { manager }: ProjectionContext) {
        switch (event.seq) {
          case 1:
            if (++e1Calls === 1) throw new Error('not yet');
            await add(manager, 'A', 1);
            locked.A = true;
            return;
          case 2:
            await until(() => locked.B);
            return add(manager, 'B', 2);
          case 3:
            await sql.outweigh(manager, scratch);
            await add(manager, 'B', 3);
            locked.B = true;
            return;
          case 4:
            await until(() => locked.A);
            return add(manager, 'A', 4);
          default: // the warm-up
            return;
        }
      }
    }

    app = await startProjectionsApp({
      dataSource: ds,
      providers: [CrossedLocks],
      kafka: { metrics: { registry } },
      projections: {
        consumer: { sessionTimeout: 10_000, heartbeatInterval: 500, partitionsConsumedConcurrently: 2 },
        maxAttempts: 3,
        retryBackoffMs: 10,
        retryBackoffMaxMs: 100,
      },
    });
    const service = app.get(ProjectionsService);
    // First one event per partition (seq 0, no write): both checkpoint rows then exist, so the two
    // batches below lock only their own (creating them can itself deadlock on MariaDB, through
    // InnoDB's gap locks, and would serialise the batches).
    await producer.sendEvents(topic, type, [0, 1].map((partition) => ({ key: `p${partition}`, partition, payload: { counterId: 'warm-up', amount: 0, seq: 0 } })));
    await waitFor(() => service.applied(name) === 2, { timeoutMs: 60_000, description: 'the two warm-up events applied' });
    const conflictsBefore = await conflicts('deadlock');

    await producer.sendEvents(topic, type, [
      { key: 'p0', partition: 0, payload: { counterId: 'p0', amount: 1, seq: 1 } },
      { key: 'p0', partition: 0, payload: { counterId: 'p0', amount: 1, seq: 2 } },
      { key: 'p1', partition: 1, payload: { counterId: 'p1', amount: 1, seq: 3 } },
      { key: 'p1', partition: 1, payload: { counterId: 'p1', amount: 1, seq: 4 } },
    ]);
    await waitFor(async () => service.applied(name) + (await service.status(name)).deadLettered >= 6, {
      timeoutMs: 60_000,
      description: 'the four events applied or dead-lettered',
    });

    expect((await service.status(name)).deadLettered).toBe(0);
    expect(service.applied(name)).toBe(6);
    const rows = (await ds.query(`SELECT row_id, total, events FROM ${table} ORDER BY row_id`)) as Array<{ row_id: string; total: number; events: string }>;
    // Each event's increment once: A = e1 + e4 (in either order), B = e2 + e3.
    expect(rows.map((r) => [r.row_id, r.total, r.events.split(';').filter(Boolean).sort()])).toEqual([
      ['A', 5, ['e1', 'e4']],
      ['B', 5, ['e2', 'e3']],
    ]);
    // The crossed locks did deadlock (else this test proves nothing), and that was counted.
    expect((await conflicts('deadlock')) - conflictsBefore).toBeGreaterThanOrEqual(1);
    // And the projection's status says what happened last.
    expect((await service.status(name)).lastError).toMatch(/rolled back after a deadlock \(1 in a row: .*deadlock/i);
  });
});
