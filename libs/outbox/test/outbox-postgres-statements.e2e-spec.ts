/*
 * The PostgreSQL relay's claim (lease + read) and mark as prepared statements (SQL PREPARE, then
 * EXECUTE), on a real server: prepared once per connection and
 * reused with other values; still right after the table is dropped and made again under them,
 * after the session lost them (DISCARD ALL), and when another store prepared them first; plain
 * SQL with `preparedStatements: false`.
 * One connection per pool, so `pg_prepared_statements` (per session) shows what the store did.
 */
import { postgresUrl, uniqueIdentifier } from '@tributary/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createOutboxStore } from '../src/store/create-outbox-store';
import type { OutboxStore } from '../src/store/outbox.store';
import { QueryRunnerSession } from '../src/store/sql-session';

const LANES = 4;

describe('outbox relay statements on PostgreSQL', () => {
  const dataSources: DataSource[] = [];

  afterAll(async () => {
    for (const ds of dataSources) await ds.destroy();
  });

  /** A store over a one-connection pool, its schema made and `count` rows of key `k` in lane 1. */
  async function storeWith(preparedStatements: boolean | undefined, tableName = uniqueIdentifier('outbox_stmt')) {
    const ds = await new DataSource({ type: 'postgres', url: postgresUrl(), extra: { max: 1 } }).initialize();
    dataSources.push(ds);
    const store = createOutboxStore(ds, tableName, preparedStatements === undefined ? undefined : { preparedStatements });
    await makeTable(ds, store);
    return { ds, store, tableName };
  }

  async function makeTable(ds: DataSource, store: OutboxStore) {
    for (const sql of store.dropStatements()) await ds.query(sql);
    for (const sql of store.schemaStatements()) await ds.query(sql);
    await store.withSession((s) => store.seedLanes(s, LANES));
  }

  async function insert(ds: DataSource, store: OutboxStore, seqs: number[]) {
    await ds.transaction((m) =>
      store.insert(
        new QueryRunnerSession(m.queryRunner!),
        seqs.map((seq) => ({
          eventId: randomUUID(),
          topic: 't',
          key: 'k',
          type: 'stmt.test',
          version: 1,
          payload: JSON.stringify({ seq }),
          headers: {},
          lane: 1,
          createdAt: new Date(),
        })),
      ),
    );
  }

  const preparedNames = async (ds: DataSource) =>
    ((await ds.query(`SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'tributary\\_%' ORDER BY name`)) as Array<{ name: string; statement: string }>);

  /** Claim lane 1 (batch of 2), mark what was claimed; the payload seqs claimed. */
  async function claimAndMark(store: OutboxStore, owner: string): Promise<number[]> {
    const claimed = await store.claimNextRows([1], owner, 10_000, { batchSize: 2, now: new Date(), blockOnDead: true });
    expect(claimed?.held).toEqual([1]);
    expect(await store.markShipped([1], owner, claimed!.pending, new Date(), false)).toEqual([1]);
    return claimed!.pending.map((r) => (JSON.parse(r.payload) as { seq: number }).seq);
  }

  it('prepares the claim and the mark once per connection and reuses them with other values', async () => {
    const { ds, store, tableName } = await storeWith(undefined);
    await insert(ds, store, [1, 2, 3, 4, 5]);
    expect(await claimAndMark(store, 'relay-a#1')).toEqual([1, 2]);
    // Lease, read and mark (pg_prepared_statements shows the whole query text each PREPARE came in).
    const prepared = await preparedNames(ds);
    expect(prepared).toHaveLength(3);
    expect(prepared.filter((p) => p.statement.includes(`UPDATE "${tableName}" o SET status = 'published'`))).toHaveLength(1);
    // Reused (no new names), with another owner and the next rows.
    expect(await claimAndMark(store, "relay-b#'2\\")).toEqual([3, 4]);
    expect(await preparedNames(ds)).toEqual(prepared);
    expect(await claimAndMark(store, 'relay-c#3')).toEqual([5]);
    const statuses = (await ds.query(`SELECT status FROM "${tableName}" ORDER BY id`)) as Array<{ status: string }>;
    expect(statuses.map((r) => r.status)).toEqual(Array(5).fill('published'));
    for (const sql of store.dropStatements()) await ds.query(sql);
  });

  it('keeps working when the table is dropped and made again under the prepared statements', async () => {
    const { ds, store, tableName } = await storeWith(true);
    await insert(ds, store, [1, 2]);
    expect(await claimAndMark(store, 'relay-a#1')).toEqual([1, 2]);
    await makeTable(ds, store);
    await insert(ds, store, [7]);
    expect(await claimAndMark(store, 'relay-a#2')).toEqual([7]);
    expect((await ds.query(`SELECT status FROM "${tableName}"`)) as unknown[]).toEqual([{ status: 'published' }]);
    for (const sql of store.dropStatements()) await ds.query(sql);
  });

  it('prepares the claim again when the session lost its statements (DISCARD ALL)', async () => {
    const { ds, store } = await storeWith(true);
    await insert(ds, store, [1, 2, 3]);
    expect(await claimAndMark(store, 'relay-a#1')).toEqual([1, 2]);
    await ds.query('DISCARD ALL');
    expect(await preparedNames(ds)).toEqual([]);
    expect(await claimAndMark(store, 'relay-a#2')).toEqual([3]);
    expect(await preparedNames(ds)).toHaveLength(3);
    for (const sql of store.dropStatements()) await ds.query(sql);
  });

  it('uses the claim statements another store prepared on the same connection', async () => {
    const { ds, store, tableName } = await storeWith(true);
    const other = createOutboxStore(ds, tableName);
    await insert(ds, store, [1, 2, 3]);
    expect(await claimAndMark(store, 'relay-a#1')).toEqual([1, 2]);
    expect(await claimAndMark(other, 'relay-b#1')).toEqual([3]);
    expect(await preparedNames(ds)).toHaveLength(3);
    for (const sql of store.dropStatements()) await ds.query(sql);
  });

  it('runs the same statements unprepared with preparedStatements: false', async () => {
    const { ds, store } = await storeWith(false);
    await insert(ds, store, [1, 2, 3]);
    expect(await claimAndMark(store, 'relay-a#1')).toEqual([1, 2]);
    expect(await claimAndMark(store, 'relay-a#2')).toEqual([3]);
    expect(await preparedNames(ds)).toEqual([]);
    for (const sql of store.dropStatements()) await ds.query(sql);
  });
});
