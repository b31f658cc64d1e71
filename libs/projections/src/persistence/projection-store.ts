import { createHash } from 'node:crypto';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** Checkpoint of one partition: the last offset the projection is done with (applied, skipped or dead-lettered). */
export interface ProjectionCheckpoint {
  topic: string;
  partition: number;
  offset: bigint;
}

/** An inbox row: an event id applied by a projection, with where it was read. */
export interface InboxEntry {
  eventId: string;
  topic: string;
  partition: number;
  offset: string;
}

/** Marker of "a row exists but no offset was applied yet" (rows are created to be locked). */
const NO_OFFSET = -1n;

/**
 * Name of an inbox table's retention index: derived from the table name (index names are per
 * schema on PostgreSQL), shortened with a hash to fit the 63-character limit.
 */
export function inboxRetentionIndexName(inboxTable: string): string {
  const base = inboxTable.split('.').pop()!;
  const name = `${base}_applied_at_idx`;
  if (name.length <= 63) return name;
  return `${base.slice(0, 40)}_${createHash('sha256').update(inboxTable).digest('hex').slice(0, 8)}_applied_at_idx`;
}

/** Errors of DDL that finds its work already done (a second instance, or `createTables` before the migrations). */
const ALREADY_DONE = /already exists|duplicate (key|column)/i;

/** What runs SQL: a query runner (inside a transaction) or a manager / DataSource. */
export type Executor = Pick<QueryRunner, 'query'> | Pick<EntityManager, 'query'>;

/**
 * SQL for the inbox and checkpoint tables. The base class holds the logic; each dialect
 * (PostgreSQL, MySQL/MariaDB, SQLite) fills in quoting, placeholders, DDL and its insert-or-ignore.
 */
export abstract class ProjectionStore {
  protected readonly cp: string;
  protected readonly inbox: string;

  constructor(
    readonly checkpointTable: string,
    readonly inboxTable: string,
  ) {
    this.cp = this.quoteTable(checkpointTable);
    this.inbox = this.quoteTable(inboxTable);
  }

  /** True where the driver gives every caller one shared connection (transactions must take turns). */
  readonly singleConnection: boolean = false;

  /** Quote one identifier. */
  protected abstract quote(identifier: string): string;
  /** Placeholder of the i-th parameter (1-based). */
  protected abstract param(index: number): string;
  /** Appended to the checkpoint SELECT to lock the row (empty where the transaction already serialises). */
  protected abstract readonly lockClause: string;
  /** Most parameters one statement may carry. */
  protected abstract readonly maxParams: number;
  /** Statement creating the checkpoint row with offset -1 unless it exists. */
  protected abstract insertCheckpointIfMissingSql(): string;
  /** Column types and table options of the dialect, for the DDL. */
  protected abstract readonly columnTypes: { integer: string; timestamp: string; tableSuffix: string };
  /** `IF NOT EXISTS ` where the dialect takes it on ADD COLUMN (else the error is tolerated). */
  protected readonly addColumnIfNotExists: string = '';
  /** `CREATE INDEX` of the retention index on the inbox. */
  protected abstract createRetentionIndexSql(index: string): string;
  /** `DROP INDEX` of the retention index. */
  protected abstract dropRetentionIndexSql(index: string): string;
  /**
   * One statement deleting up to `limit` inbox rows of a projection older than `retentionMs` by the
   * database's clock (the clock that wrote `applied_at`); parameters: projection, retention, limit.
   */
  protected abstract deleteExpiredInboxSql(): { sql: string; params: (projection: string, retentionMs: number, limit: number) => unknown[] };

  /** Name of the inbox's retention index (see `inboxRetentionIndexName`). */
  get retentionIndex(): string {
    return inboxRetentionIndexName(this.inboxTable);
  }

  /** The schema prefix of the inbox table (`schema.`), or ''. */
  protected inboxSchemaPrefix(): string {
    const parts = this.inboxTable.split('.');
    return parts.length > 1 ? `${this.quote(parts[0])}.` : '';
  }

  /**
   * `CREATE TABLE IF NOT EXISTS` statements of the first version of the tables (what the first
   * shipped migration creates; `inboxRetentionSql` upgrades them).
   */
  createTablesSql(): string[] {
    const { integer, timestamp, tableSuffix } = this.columnTypes;
    return [
      `CREATE TABLE IF NOT EXISTS ${this.cp} (projection varchar(200) NOT NULL, topic varchar(249) NOT NULL,` +
        ` topic_partition ${integer} NOT NULL, last_offset bigint NOT NULL, updated_at ${timestamp},` +
        ` PRIMARY KEY (projection, topic, topic_partition))${tableSuffix}`,
      `CREATE TABLE IF NOT EXISTS ${this.inbox} (projection varchar(200) NOT NULL, event_id varchar(100) NOT NULL,` +
        ` topic varchar(249) NOT NULL, topic_partition ${integer} NOT NULL, message_offset bigint NOT NULL,` +
        ` applied_at ${timestamp}, PRIMARY KEY (projection, event_id))${tableSuffix}`,
    ];
  }
  /**
   * The inbox's `outcome` column (`applied` | `dead-lettered`; existing rows are `applied`) and the
   * `(projection, applied_at)` index the retention sweep reads. Safe to run again: statements that
   * find their work done fail with an error `runDdl` tolerates, or are `IF NOT EXISTS`.
   */
  inboxRetentionSql(): string[] {
    return [
      `ALTER TABLE ${this.inbox} ADD COLUMN ${this.addColumnIfNotExists}outcome varchar(16) NOT NULL DEFAULT 'applied'`,
      this.createRetentionIndexSql(this.retentionIndex),
    ];
  }

  /** Undo `inboxRetentionSql`. */
  dropInboxRetentionSql(): string[] {
    return [this.dropRetentionIndexSql(this.retentionIndex), `ALTER TABLE ${this.inbox} DROP COLUMN outcome`];
  }

  /** Run DDL statements one by one, tolerating those that find their work already done. */
  async runDdl(db: Executor, statements: string[]): Promise<void> {
    for (const sql of statements) {
      try {
        await db.query(sql);
      } catch (e) {
        if (!ALREADY_DONE.test((e as Error).message)) throw e;
      }
    }
  }

  /** `DROP TABLE IF EXISTS` statements. */
  dropTablesSql(): string[] {
    return [`DROP TABLE IF EXISTS ${this.inbox}`, `DROP TABLE IF EXISTS ${this.cp}`];
  }

  quoteTable(name: string): string {
    return name
      .split('.')
      .map((part) => this.quote(part))
      .join('.');
  }

  private params(count: number, from = 1): string {
    return Array.from({ length: count }, (_, i) => this.param(from + i)).join(', ');
  }

  /**
   * Lock the checkpoint row of a partition for the rest of the transaction and return its offset
   * (null when nothing was applied yet). A second instance handling the same partition (a fetch
   * that raced a rebalance) waits here and then sees the new checkpoint.
   */
  async lockCheckpoint(db: Executor, projection: string, topic: string, partition: number): Promise<bigint | null> {
    const select =
      `SELECT last_offset FROM ${this.cp} WHERE projection = ${this.param(1)} AND topic = ${this.param(2)}` +
      ` AND topic_partition = ${this.param(3)}${this.lockClause}`;
    let rows = (await db.query(select, [projection, topic, partition])) as Array<{ last_offset: unknown }>;
    if (rows.length === 0) {
      await db.query(this.insertCheckpointIfMissingSql(), [projection, topic, partition, NO_OFFSET.toString()]);
      rows = (await db.query(select, [projection, topic, partition])) as Array<{ last_offset: unknown }>;
    }
    const offset = BigInt(String(rows[0].last_offset));
    return offset === NO_OFFSET ? null : offset;
  }

  /** Store the checkpoint of a partition locked by `lockCheckpoint` in this transaction. */
  async saveCheckpoint(db: Executor, projection: string, topic: string, partition: number, offset: bigint): Promise<void> {
    await db.query(
      `UPDATE ${this.cp} SET last_offset = ${this.param(1)}, updated_at = CURRENT_TIMESTAMP` +
        ` WHERE projection = ${this.param(2)} AND topic = ${this.param(3)} AND topic_partition = ${this.param(4)}`,
      [offset.toString(), projection, topic, partition],
    );
  }

  /** Every checkpoint of a projection (partitions never applied are left out). */
  async readCheckpoints(db: Executor, projection: string): Promise<ProjectionCheckpoint[]> {
    const rows = (await db.query(
      `SELECT topic, topic_partition, last_offset FROM ${this.cp} WHERE projection = ${this.param(1)}`,
      [projection],
    )) as Array<{ topic: string; topic_partition: unknown; last_offset: unknown }>;
    return rows
      .map((r) => ({ topic: r.topic, partition: Number(r.topic_partition), offset: BigInt(String(r.last_offset)) }))
      .filter((c) => c.offset !== NO_OFFSET);
  }

  /**
   * Record event ids as applied by the projection and return those that were not recorded yet
   * (the others are duplicates). Runs inside the batch's transaction, before the handlers.
   */
  async claimEventIds(db: Executor, projection: string, entries: InboxEntry[]): Promise<Set<string>> {
    const seen = await this.seenEventIds(db, projection, entries.map((e) => e.eventId));
    const fresh = entries.filter((e) => !seen.has(e.eventId));
    if (fresh.length > 0) await this.recordInbox(db, projection, fresh);
    return new Set(fresh.map((e) => e.eventId));
  }

  /**
   * Record event ids expected to be new (the happy path: duplicates are rare). Resolves to `'all'`
   * when every id was recorded, or null when one was already there (the transaction must then be
   * rolled back and the batch applied again with `claimEventIds`). Dialects without a cheaper
   * statement just claim and return the set of ids recorded.
   */
  async claimNewEventIds(db: Executor, projection: string, entries: InboxEntry[]): Promise<Set<string> | 'all' | null> {
    return this.claimEventIds(db, projection, entries);
  }

  /**
   * Mark ids claimed in this transaction as dead-lettered: their events were sent to the
   * dead-letter topic instead of being applied. The ids stay, so another plain copy is a duplicate;
   * only a replayed copy (see `releaseDeadLettered`) is applied.
   */
  async markDeadLettered(db: Executor, projection: string, eventIds: string[]): Promise<void> {
    await this.forChunksOf(eventIds, (ids, list) =>
      db.query(`UPDATE ${this.inbox} SET outcome = 'dead-lettered' WHERE projection = ${this.param(1)} AND event_id IN (${list})`, [projection, ...ids]),
    );
  }

  /**
   * Remove the ids among `eventIds` that the projection dead-lettered, so that replayed copies of
   * them can be claimed in this transaction. Ids of applied events are left alone (their replayed
   * copies are duplicates). Two transactions releasing the same id serialise on its row.
   */
  async releaseDeadLettered(db: Executor, projection: string, eventIds: string[]): Promise<void> {
    await this.forChunksOf(eventIds, (ids, list) =>
      db.query(
        `DELETE FROM ${this.inbox} WHERE projection = ${this.param(1)} AND outcome = 'dead-lettered' AND event_id IN (${list})`,
        [projection, ...ids],
      ),
    );
  }

  /**
   * Delete up to `limit` inbox rows of a projection written more than `retentionMs` ago (one
   * statement, in its own transaction); resolves to the number deleted.
   */
  async deleteExpiredInbox(dataSource: DataSource, projection: string, retentionMs: number, limit: number): Promise<number> {
    const { sql, params } = this.deleteExpiredInboxSql();
    const qr = dataSource.createQueryRunner();
    try {
      const result = await qr.query(sql, params(projection, retentionMs, limit), true);
      return Number((result as { affected?: number }).affected ?? 0);
    } finally {
      await qr.release();
    }
  }

  /** Run `work` on chunks of ids that fit one statement with the projection as parameter 1. */
  private async forChunksOf(eventIds: string[], work: (ids: string[], placeholders: string) => Promise<unknown>): Promise<void> {
    const chunk = this.maxParams - 1;
    for (let i = 0; i < eventIds.length; i += chunk) {
      const ids = eventIds.slice(i, i + chunk);
      await work(ids, this.params(ids.length, 2));
    }
  }

  /** The subset of `eventIds` the projection already applied. */
  protected async seenEventIds(db: Executor, projection: string, eventIds: string[]): Promise<Set<string>> {
    const seen = new Set<string>();
    const chunk = this.maxParams - 1;
    for (let i = 0; i < eventIds.length; i += chunk) {
      const ids = eventIds.slice(i, i + chunk);
      const rows = (await db.query(
        `SELECT event_id FROM ${this.inbox} WHERE projection = ${this.param(1)} AND event_id IN (${this.params(ids.length, 2)})`,
        [projection, ...ids],
      )) as Array<{ event_id: string }>;
      for (const r of rows) seen.add(r.event_id);
    }
    return seen;
  }

  /**
   * Record event ids. A plain INSERT on purpose: if two transactions claim the same id (two
   * partitions at once), the second fails on the primary key and its batch is retried.
   */
  protected async recordInbox(db: Executor, projection: string, entries: InboxEntry[]): Promise<void> {
    const chunk = Math.floor(this.maxParams / 5);
    for (let i = 0; i < entries.length; i += chunk) {
      const part = entries.slice(i, i + chunk);
      const values = part.map((_, j) => `(${this.params(5, j * 5 + 1)})`).join(', ');
      await db.query(
        `INSERT INTO ${this.inbox} (projection, event_id, topic, topic_partition, message_offset) VALUES ${values}`,
        part.flatMap((e) => [projection, e.eventId, e.topic, e.partition, e.offset]),
      );
    }
  }

  /** Empty the read-model tables and forget the projection's checkpoints and inbox (inside the caller's transaction). */
  async reset(db: Executor, projection: string, tables: string[]): Promise<void> {
    for (const table of tables) await db.query(`DELETE FROM ${this.quoteTable(table)}`);
    await db.query(`DELETE FROM ${this.inbox} WHERE projection = ${this.param(1)}`, [projection]);
    await db.query(`DELETE FROM ${this.cp} WHERE projection = ${this.param(1)}`, [projection]);
  }

  /**
   * Create the tables when missing and bring them to the current version (the same DDL as the
   * shipped migrations); tolerates another instance doing the same at the same moment.
   */
  async createTables(dataSource: DataSource): Promise<void> {
    await this.runDdl(dataSource, [...this.createTablesSql(), ...this.inboxRetentionSql()]);
  }
}
