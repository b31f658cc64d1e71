/*
 * What `publish` sends to PostgreSQL: the rows (500 per INSERT) and the read of the recorded lane
 * count, the last INSERT and the read in one statement (one round trip). The read must still see a
 * re-lane that held the table while the INSERT waited for it (PostgreSQL takes a statement's
 * snapshot after the statement locked its tables, read committed).
 */
import { postgresUrl, uniqueIdentifier, waitFor } from '@tributary/testing';
import { randomUUID } from 'node:crypto';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import type { NewOutboxRow } from '../src/store/outbox-row.interface';
import { createOutboxStore } from '../src/store/create-outbox-store';
import type { OutboxStore } from '../src/store/outbox.store';
import { QueryRunnerSession } from '../src/store/sql-session';

const LANES = 4;

describe('outbox publish statements on PostgreSQL', () => {
  const tableName = uniqueIdentifier('outbox_pub');
  /** Statements the app's DataSource sent, as TypeORM logs them. */
  const statements: string[] = [];
  const logger: TypeOrmLogger = {
    logQuery: (query) => void statements.push(query),
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
  let ds: DataSource;
  let admin: DataSource;
  let store: OutboxStore;

  beforeAll(async () => {
    ds = await new DataSource({ type: 'postgres', url: postgresUrl(), logging: ['query'], logger, extra: { max: 4 } }).initialize();
    admin = await new DataSource({ type: 'postgres', url: postgresUrl(), extra: { max: 2 } }).initialize();
    store = createOutboxStore(ds, tableName);
    for (const sql of store.dropStatements()) await ds.query(sql);
    for (const sql of store.schemaStatements()) await ds.query(sql);
    await store.withSession((s) => store.seedLanes(s, LANES));
  });

  afterAll(async () => {
    for (const sql of store?.dropStatements() ?? []) await ds?.query(sql).catch(() => undefined);
    await store?.close();
    await ds?.destroy();
    await admin?.destroy();
  });

  const rowsOf = (count: number): NewOutboxRow[] =>
    Array.from({ length: count }, (_, i) => ({
      eventId: randomUUID(),
      topic: 't',
      key: `k${i % 7}`,
      type: 'pub.test',
      version: 1,
      payload: JSON.stringify({ i }),
      headers: { 'tributary-event-type': 'pub.test' },
      lane: i % LANES,
      createdAt: new Date(),
    }));

  /** Publish `rows` as `publish` does, in a transaction of its own; the count read and the statements sent in between. */
  async function publish(rows: NewOutboxRow[]): Promise<{ recorded: number | undefined; sent: string[] }> {
    let sent: string[] = [];
    const recorded = await ds.transaction(async (m) => {
      const from = statements.length;
      const count = await store.insertAndReadLaneCount(new QueryRunnerSession(m.queryRunner!), rows, m.queryRunner!);
      sent = statements.slice(from);
      return count;
    });
    return { recorded, sent };
  }

  const stored = async () => Number(((await admin.query(`SELECT COUNT(*) AS n FROM "${tableName}"`)) as Array<{ n: string }>)[0].n);

  it('inserts up to 500 rows and reads the lane count in one statement', async () => {
    const before = await stored();
    // No count recorded yet: undefined (publish then trusts its own option).
    expect((await publish(rowsOf(3))).recorded).toBeUndefined();
    await store.withSession((s) => store.recordLaneCount(s, LANES));
    const { recorded, sent } = await publish(rowsOf(3));
    expect(recorded).toBe(LANES);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^WITH inserted AS \(INSERT INTO/);
    expect(await stored()).toBe(before + 6);
  });

  it('sends 1,200 rows in three statements, the last one reading the count', async () => {
    const before = await stored();
    const { recorded, sent } = await publish(rowsOf(1200));
    expect(recorded).toBe(LANES);
    expect(sent.map((s) => /^(WITH inserted AS \()?INSERT INTO/.exec(s)?.[0])).toEqual(['INSERT INTO', 'INSERT INTO', 'WITH inserted AS (INSERT INTO']);
    expect(await stored()).toBe(before + 1200);
  });

  it('reads the count a re-lane committed while the insert waited for its lock', async () => {
    const relane = admin.createQueryRunner();
    await relane.connect();
    let published: Promise<{ recorded: number | undefined }> | undefined;
    try {
      // What a re-lane does first: hold back publishers, then record the new count.
      await relane.query('BEGIN');
      await relane.query(`LOCK TABLE "${tableName}" IN EXCLUSIVE MODE`);
      await relane.query(`UPDATE "${tableName}_meta" SET meta_value = '8' WHERE meta_key = 'lanes'`);
      published = publish(rowsOf(2));
      await waitFor(
        async () =>
          Number(
            ((await admin.query(`SELECT COUNT(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH inserted AS (INSERT INTO "${tableName}"%'`)) as Array<{ n: string }>)[0].n,
          ) === 1,
        { description: 'the publish statement to wait for the lock' },
      );
      await relane.query('COMMIT');
    } finally {
      if (relane.isTransactionActive) await relane.query('ROLLBACK').catch(() => undefined);
      await relane.release();
    }
    // The statement's snapshot is taken after its lock: it sees the committed count, not the old one.
    expect((await published!).recorded).toBe(8);
  });
});
