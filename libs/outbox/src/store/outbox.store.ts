import type { Logger } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';
import { OutboxRelaneException } from '../exceptions/outbox-relane.exception';
import type { NewOutboxRow, OutboxRow, OutboxRowStatus } from './outbox-row.interface';
import { SqlParams, type SqlSession } from './sql-session';

/** Supported SQL dialects. */
export type OutboxDialect = 'postgres' | 'mysql' | 'sqlite';

/** One lane's share of a pending read. */
export interface PendingRead {
  lane: number;
  limit: number;
}

/** What a relay batch reads from the lanes it claims. */
export interface ClaimReadOptions {
  /** Most rows of the batch; each held lane reads up to its share of it (see `ClaimedRows.perLaneLimit`). */
  batchSize: number;
  /** Retrying rows due at or before this time are read. */
  now: Date;
  /** Dead rows hold back later rows of their key (`deadRowPolicy: 'block'`). */
  blockOnDead: boolean;
}

/** The lanes a claim took and their next rows; the lanes holding rows are leased, the others were left free. */
export interface ClaimedRows {
  held: number[];
  /** Due retrying rows of the held lanes, in id order (at most `batchSize`). */
  ready: OutboxRow[];
  /** Each held lane's first `perLaneLimit` pending rows, in id order. */
  pending: OutboxRow[];
  perLaneLimit: number;
}

/** How a refused send is recorded. */
export interface OutboxRowFailure {
  id: number;
  status: Extract<OutboxRowStatus, 'retrying' | 'dead'>;
  attempts: number;
  availableAt: Date;
  error: string;
}

/** Counts the relay reports. */
export interface OutboxTableStats {
  pending: number;
  retrying: number;
  dead: number;
  /** Creation time of the oldest unpublished row, or null when there is none. */
  oldestUnpublishedAt: Date | null;
}

/** Something that wakes the relay when rows are committed (PostgreSQL LISTEN). */
export interface OutboxWakeupListener {
  readonly listening: boolean;
  start(): void;
  stop(): Promise<void>;
}

/** SQL types of the outbox columns in one dialect. */
export interface OutboxColumnTypes {
  /** Auto-increment primary key, with its constraint. */
  id: string;
  uuid: string;
  topic: string;
  key: string;
  name: string;
  int: string;
  text: string;
  longText: string;
  status: string;
  time: string;
}

const INSERT_CHUNK = 500;

/** A held lane's share of a batch of `batchSize` rows over `heldLanes` lanes (at least one row). */
export function perLaneShare(batchSize: number, heldLanes: number): number {
  return Math.max(1, Math.ceil(batchSize / Math.max(1, heldLanes)));
}
const RELANE_PAGE = 10_000;
/** Key of the lane count in the meta table. */
export const LANE_COUNT_KEY = 'lanes';

/**
 * SQL of the outbox, shared by every database. Subclasses give the dialect: quoting, placeholders,
 * DDL, time values, and how a relay takes a lane (row lock, or nothing on single-relay SQLite).
 */
export abstract class OutboxStore {
  abstract readonly dialect: OutboxDialect;
  /** Quoted outbox table. */
  protected readonly t: string;
  /** Quoted lane table. */
  protected readonly lanesTable: string;
  /** Quoted table of settings recorded with the outbox (the lane count). */
  protected readonly metaTable: string;

  protected static readonly COLUMNS =
    'id, event_id, topic, message_key, event_type, event_version, payload, headers, lane, status, attempts, last_error, created_at, available_at, published_at';

  constructor(
    readonly dataSource: DataSource,
    readonly tableName: string,
  ) {
    this.t = this.quote(tableName);
    this.lanesTable = this.quote(`${tableName}_lanes`);
    this.metaTable = this.quote(`${tableName}_meta`);
  }

  // ---- dialect -------------------------------------------------------------------------------

  protected abstract quote(identifier: string): string;
  protected abstract placeholder(index: number): string;
  /** Column types of the dialect. */
  protected abstract readonly columnTypes: OutboxColumnTypes;
  /** Text after `CREATE TABLE (...)`, e.g. the storage engine. */
  protected readonly tableOptions: string = '';
  /** MySQL has no `CREATE INDEX IF NOT EXISTS`: declare indexes inside `CREATE TABLE`. */
  protected readonly inlineIndexes: boolean = false;
  /** `INSERT` that ignores rows whose primary key exists. */
  protected abstract insertIgnore(table: string, columns: string, values: string): string;
  /** A time as the driver binds it. */
  protected toDbTime(date: Date): unknown {
    return date;
  }
  /** A time read back from the driver (a Date, a date string, or epoch milliseconds). */
  protected fromDbTime(value: unknown): Date {
    if (value instanceof Date) return value;
    return typeof value === 'number' ? new Date(value) : new Date(String(value));
  }
  /** SQL for the current time by the clock every relay shares (the database's, on client-server databases). */
  protected abstract leaseNow(p: SqlParams): string;
  /** SQL for `ms` milliseconds after `leaseNow`. */
  protected abstract leaseNowPlus(p: SqlParams, ms: number): string;

  /**
   * Claim lanes for one batch, in one short transaction. Of `lanes`, those no other relay holds a
   * live lease on (and, on PostgreSQL/MySQL, that no other transaction has locked: SKIP LOCKED) are
   * passed to `read`, which reads their next rows and says which lanes to lease (those it will
   * send from). Their lease (`owner`, until `leaseMs` from now) is written before the transaction
   * commits, and the connection is released: the send happens outside any transaction. Resolves
   * to undefined when no lane was free.
   */
  abstract claimLanes<T>(
    lanes: number[],
    owner: string,
    leaseMs: number,
    read: (session: SqlSession, held: number[]) => Promise<{ result: T; lease: number[] }>,
  ): Promise<T | undefined>;

  /**
   * Claim lanes for one batch and read their next rows (see `claimLanes`): of `lanes`, those free
   * are taken, their due retrying rows and first pending rows read, and the lanes holding rows
   * leased to `owner`. Resolves to undefined when no lane was free.
   */
  async claimNextRows(lanes: number[], owner: string, leaseMs: number, read: ClaimReadOptions): Promise<ClaimedRows | undefined> {
    return this.claimLanes(lanes, owner, leaseMs, async (session, held) => {
      const perLaneLimit = perLaneShare(read.batchSize, held.length);
      const ready = await this.fetchDueRetrying(session, held, read.now, read.batchSize, read.blockOnDead);
      const pending = await this.fetchPending(session, held.map((lane) => ({ lane, limit: perLaneLimit })), read.blockOnDead);
      const withRows = [...new Set([...ready, ...pending].map((r) => r.lane))];
      return { result: { held, ready, pending, perLaneLimit }, lease: withRows };
    });
  }

  /**
   * After a send Kafka acked whole: mark `rows` published (or delete them, `deleteRows`) in the lanes
   * still leased by `owner`, and release those leases, in one transaction (see `withLeasedLanes`).
   * Resolves to the lanes that were still ours; rows of the others are left to their new holder.
   */
  async markShipped(lanes: number[], owner: string, rows: ReadonlyArray<{ id: number; lane: number }>, at: Date, deleteRows: boolean): Promise<number[]> {
    return this.withLeasedLanes(lanes, owner, async (session, ours) => {
      const held = new Set(ours);
      const ids = rows.filter((r) => held.has(r.lane)).map((r) => r.id);
      await this.markPublished(session, ids, at, deleteRows);
      return ours;
    });
  }

  /**
   * In one short transaction: lock the lanes of `lanes` still leased by `owner` (a lane whose lease
   * was taken over after it expired is left out), run `fn` on them, release their lease.
   */
  abstract withLeasedLanes<T>(lanes: number[], owner: string, fn: (session: SqlSession, ours: number[]) => Promise<T>): Promise<T>;

  /**
   * Run `fn` in one transaction that excludes publishers and relays from the outbox: every lane
   * row locked, and new rows held back until it commits (PostgreSQL: the outbox table locked
   * EXCLUSIVE; MySQL: the lane count row locked, which `publish` reads with a shared lock;
   * SQLite: the write lock).
   */
  protected abstract withRelaneTransaction<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Run `fn` on a connection outside any business transaction (admin, metrics, sweeps). */
  abstract withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** A listener that calls `onLanes` when rows were committed; undefined when the database has none. */
  createListener(_onLanes: (lanes: number[] | undefined) => void, _logger: Logger): OutboxWakeupListener | undefined {
    return undefined;
  }
  /** Release connections this store opened itself. */
  async close(): Promise<void> {}

  /** Idempotent DDL creating the outbox and lane tables with their indexes. */
  schemaStatements(): string[] {
    const c = this.columnTypes;
    const columns = [
      `id ${c.id}`,
      `event_id ${c.uuid} NOT NULL`,
      `topic ${c.topic} NOT NULL`,
      `message_key ${c.key} NULL`,
      `event_type ${c.name} NOT NULL`,
      `event_version ${c.int} NOT NULL`,
      `payload ${c.longText} NOT NULL`,
      `headers ${c.text} NOT NULL`,
      `lane ${c.int} NOT NULL`,
      `status ${c.status} NOT NULL DEFAULT 'pending'`,
      `attempts ${c.int} NOT NULL DEFAULT 0`,
      `last_error ${c.text} NULL`,
      `created_at ${c.time} NOT NULL`,
      `available_at ${c.time} NOT NULL`,
      `published_at ${c.time} NULL`,
    ];
    // (lane, status, id): a lane's next rows in order; (status, id): counts, oldest row, retention.
    const indexes = [
      ['lane_status_id', 'lane, status, id'],
      ['status_id', 'status, id'],
    ];
    if (this.inlineIndexes) columns.push(...indexes.map(([name, cols]) => `INDEX ${this.indexName(name)} (${cols})`));
    return [
      `CREATE TABLE IF NOT EXISTS ${this.t} (${columns.join(', ')})${this.tableOptions}`,
      ...(this.inlineIndexes
        ? []
        : indexes.map(([name, cols]) => `CREATE INDEX IF NOT EXISTS ${this.indexName(name)} ON ${this.t} (${cols})`)),
      // A lane is leased by one relay for the length of a batch (lease_owner: that batch's token).
      `CREATE TABLE IF NOT EXISTS ${this.lanesTable} (lane ${c.int} NOT NULL PRIMARY KEY, lease_owner ${c.name} NULL, lease_until ${c.time} NULL)${this.tableOptions}`,
      ...this.upgradeStatements(),
      `CREATE TABLE IF NOT EXISTS ${this.metaTable} (meta_key ${c.status} NOT NULL PRIMARY KEY, meta_value ${c.name} NOT NULL)${this.tableOptions}`,
    ];
  }

  /** Idempotent DDL bringing tables made by an earlier version up to date, where the dialect allows it. */
  protected upgradeStatements(): string[] {
    return [];
  }

  dropStatements(): string[] {
    return [`DROP TABLE IF EXISTS ${this.metaTable}`, `DROP TABLE IF EXISTS ${this.lanesTable}`, `DROP TABLE IF EXISTS ${this.t}`];
  }

  /** Statement recording `lanes` as the lane count unless one is recorded already. */
  recordLaneCountStatement(lanes: number): { sql: string; params: unknown[] } {
    const p = this.params();
    const sql = this.insertIgnore(this.metaTable, 'meta_key, meta_value', `(${p.add(LANE_COUNT_KEY)}, ${p.add(String(lanes))})`);
    return { sql, params: p.values };
  }

  protected params(): SqlParams {
    return new SqlParams((i) => this.placeholder(i));
  }

  protected indexName(suffix: string): string {
    return this.quote(`${this.tableName}_${suffix}`);
  }

  // ---- writing ---------------------------------------------------------------------------------

  /** Insert rows in the session's transaction. */
  async insert(session: SqlSession, rows: NewOutboxRow[]): Promise<void> {
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      const { sql, params } = this.insertStatement(rows.slice(start, start + INSERT_CHUNK));
      await session.execute(sql, params.values);
    }
  }

  /** The INSERT of `rows` (at most `INSERT_CHUNK`), with its parameters. */
  protected insertStatement(rows: NewOutboxRow[]): { sql: string; params: SqlParams } {
    const params = this.params();
    const values = rows.map((r) => {
      const at = this.toDbTime(r.createdAt);
      return `(${params.list([r.eventId, r.topic, r.key, r.type, r.version, r.payload, JSON.stringify(r.headers), r.lane, 'pending', 0, at, at])})`;
    });
    const sql = `INSERT INTO ${this.t} (event_id, topic, message_key, event_type, event_version, payload, headers, lane, status, attempts, created_at, available_at) VALUES ${values.join(', ')}`;
    return { sql, params };
  }

  /**
   * What `publish` writes: insert `rows` in the caller's transaction, then read back the recorded
   * lane count that transaction sees (so a re-lane either waits for it or is seen by it). Dialects
   * with a wake-up channel also notify the relays of the rows' lanes once `transaction` commits.
   * Undefined when no count is recorded.
   */
  async insertAndReadLaneCount(session: SqlSession, rows: NewOutboxRow[], _transaction: QueryRunner): Promise<number | undefined> {
    // The usual publish (one event, or a few) is one chunk: no copies of `rows`.
    if (rows.length <= INSERT_CHUNK) return this.insertLastAndReadLaneCount(session, rows);
    const lastChunk = Math.floor((rows.length - 1) / INSERT_CHUNK) * INSERT_CHUNK;
    await this.insert(session, rows.slice(0, lastChunk));
    return this.insertLastAndReadLaneCount(session, rows.slice(lastChunk));
  }

  /** The last chunk of `insertAndReadLaneCount` and the read: two statements here. */
  protected async insertLastAndReadLaneCount(session: SqlSession, rows: NewOutboxRow[]): Promise<number | undefined> {
    await this.insert(session, rows);
    return this.readLaneCount(session, this.laneCountReadLock);
  }

  /** Lock clause of the lane count read in `publish` (MySQL: a shared lock, see `withRelaneTransaction`). */
  protected readonly laneCountReadLock: string = '';

  /** The recorded lane count, or undefined. */
  async readLaneCount(session: SqlSession, lock = ''): Promise<number | undefined> {
    const p = this.params();
    const [row] = await session.query<{ meta_value: unknown }>(
      `SELECT meta_value FROM ${this.metaTable} WHERE meta_key = ${p.add(LANE_COUNT_KEY)}${lock}`,
      p.values,
    );
    return row ? Number(row.meta_value) : undefined;
  }

  /**
   * Record `lanes` unless a count is recorded already, and return the recorded one. Also checks
   * that the lane table has its lease columns (tables made by an earlier version may not).
   */
  async recordLaneCount(session: SqlSession, lanes: number): Promise<number> {
    await session.query(`SELECT lane, lease_owner, lease_until FROM ${this.lanesTable} WHERE lane < 0`);
    const insert = this.recordLaneCountStatement(lanes);
    await session.execute(insert.sql, insert.params);
    return (await this.readLaneCount(session)) ?? lanes;
  }

  // ---- leases and re-laning ------------------------------------------------------------------

  /** Extend the leases `owner` still holds on `lanes` (autocommit, one statement). */
  async renewLeases(lanes: number[], owner: string, leaseMs: number): Promise<void> {
    if (lanes.length === 0) return;
    await this.withSession(async (session) => {
      const p = this.params();
      const set = `lease_until = ${this.leaseNowPlus(p, leaseMs)}`;
      await session.execute(`UPDATE ${this.lanesTable} SET ${set} WHERE lane IN (${p.list(lanes)}) AND lease_owner = ${p.add(owner)}`, p.values);
    });
  }

  /**
   * Lease every lane for `owner` (a re-lane), taking each one as soon as its relay released it or its
   * lease expired; resolves to the number of lanes still held by others (0: all taken).
   */
  async leaseAllLanes(owner: string, leaseMs: number): Promise<number> {
    return this.withSession(async (session) => {
      // Parameters are added in text order, each once: MySQL and SQLite placeholders are positional.
      const p = this.params();
      const set = `lease_owner = ${p.add(owner)}, lease_until = ${this.leaseNowPlus(p, leaseMs)}`;
      const free = `lease_owner = ${p.add(owner)} OR lease_owner IS NULL OR lease_until IS NULL OR lease_until < ${this.leaseNow(p)}`;
      await session.execute(`UPDATE ${this.lanesTable} SET ${set} WHERE ${free}`, p.values);
      const q = this.params();
      const [row] = await session.query<{ n: unknown }>(
        `SELECT COUNT(*) AS n FROM ${this.lanesTable} WHERE lease_owner IS NULL OR lease_owner <> ${q.add(owner)}`,
        q.values,
      );
      return Number(row?.n ?? 0);
    });
  }

  /** Release the leases `owner` holds on any lane. */
  async releaseAllLanes(owner: string): Promise<void> {
    await this.withSession(async (session) => {
      const p = this.params();
      await session.execute(`UPDATE ${this.lanesTable} SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ${p.add(owner)}`, p.values);
    });
  }

  /**
   * With every lane leased by `owner` (see `leaseAllLanes`), in one transaction that holds new rows
   * back: move every unfinished row (pending, retrying, dead) to its lane under `newCount`, replace
   * the lane rows, record `newCount` and release the leases. Resolves to the recorded count before,
   * and the rows moved.
   */
  async relane(newCount: number, owner: string, laneOf: (key: string | null, eventId: string, lanes: number) => number): Promise<{ from: number | undefined; moved: number }> {
    return this.withRelaneTransaction(async (session) => {
      const q = this.params();
      const [foreign] = await session.query<{ n: unknown }>(
        `SELECT COUNT(*) AS n FROM ${this.lanesTable} WHERE lease_owner IS NULL OR lease_owner <> ${q.add(owner)}`,
        q.values,
      );
      if (Number(foreign?.n ?? 0) > 0) throw new OutboxRelaneException(this.tableName, 'a relay took a lane before the re-lane transaction began; retry');
      const from = await this.readLaneCount(session);
      let moved = 0;
      let afterId = 0;
      for (;;) {
        const p = this.params();
        const rows = await session.query<{ id: unknown; message_key: string | null; event_id: unknown; lane: unknown }>(
          `SELECT id, message_key, event_id, lane FROM ${this.t} WHERE status IN ('pending', 'retrying', 'dead') AND id > ${p.add(afterId)} ORDER BY id LIMIT ${p.add(RELANE_PAGE)}`,
          p.values,
        );
        const byLane = new Map<number, number[]>();
        for (const row of rows) {
          const lane = laneOf(row.message_key ?? null, String(row.event_id), newCount);
          if (lane === Number(row.lane)) continue;
          const ids = byLane.get(lane) ?? [];
          ids.push(Number(row.id));
          byLane.set(lane, ids);
        }
        for (const [lane, ids] of byLane) {
          for (let start = 0; start < ids.length; start += INSERT_CHUNK) {
            const u = this.params();
            moved += await session.execute(
              `UPDATE ${this.t} SET lane = ${u.add(lane)} WHERE id IN (${u.list(ids.slice(start, start + INSERT_CHUNK))})`,
              u.values,
            );
          }
        }
        if (rows.length < RELANE_PAGE) break;
        afterId = Number(rows[rows.length - 1].id);
      }
      const d = this.params();
      await session.execute(`DELETE FROM ${this.lanesTable} WHERE lane >= ${d.add(newCount)}`, d.values);
      await this.seedLanes(session, newCount);
      await session.execute(`UPDATE ${this.lanesTable} SET lease_owner = NULL, lease_until = NULL`);
      const m = this.params();
      const updated = await session.execute(
        `UPDATE ${this.metaTable} SET meta_value = ${m.add(String(newCount))} WHERE meta_key = ${m.add(LANE_COUNT_KEY)}`,
        m.values,
      );
      if (updated === 0) {
        const insert = this.recordLaneCountStatement(newCount);
        await session.execute(insert.sql, insert.params);
      }
      return { from, moved };
    });
  }

  /** Make sure lanes `0..lanes-1` exist in the lane table. */
  async seedLanes(session: SqlSession, lanes: number): Promise<void> {
    const p = this.params();
    const values = Array.from({ length: lanes }, (_, lane) => `(${p.add(lane)})`).join(', ');
    await session.execute(this.insertIgnore(this.lanesTable, 'lane', values), p.values);
  }

  // ---- relay -----------------------------------------------------------------------------------

  /** Lanes holding unpublished rows. */
  async lanesWithWork(session: SqlSession): Promise<number[]> {
    const rows = await session.query<{ lane: unknown }>(
      `SELECT l.lane FROM ${this.lanesTable} l WHERE EXISTS (SELECT 1 FROM ${this.t} o WHERE o.lane = l.lane AND o.status IN ('pending', 'retrying'))`,
    );
    return rows.map((r) => Number(r.lane));
  }

  /**
   * SQL condition true when an earlier unfinished row of the same key waits in the lane: a retrying
   * row, or a dead one when dead rows block their key. Rows without a key never wait (NULL = NULL
   * is not true).
   */
  protected noEarlierBlocker(blockOnDead: boolean): string {
    const statuses = blockOnDead ? "'retrying', 'dead'" : "'retrying'";
    return `NOT EXISTS (SELECT 1 FROM ${this.t} b WHERE b.lane = o.lane AND b.message_key = o.message_key AND b.status IN (${statuses}) AND b.id < o.id)`;
  }

  /** Retrying rows of some lanes whose backoff is over and that no earlier row of their key holds back, in id order. */
  async fetchDueRetrying(session: SqlSession, lanes: number[], now: Date, limit: number, blockOnDead: boolean): Promise<OutboxRow[]> {
    const p = this.params();
    const rows = await session.query<Record<string, unknown>>(
      `SELECT ${OutboxStore.COLUMNS} FROM ${this.t} o WHERE o.lane IN (${p.list(lanes)}) AND o.status = 'retrying' AND o.available_at <= ${p.add(
        this.toDbTime(now),
      )} AND ${this.noEarlierBlocker(blockOnDead)} ORDER BY o.id LIMIT ${p.add(limit)}`,
      p.values,
    );
    return rows.map((r) => this.toRow(r));
  }

  /** When the next retrying row of some lanes becomes due (epoch ms), if one is still in backoff. */
  async nextRetryAt(session: SqlSession, lanes: number[], now: Date): Promise<number | undefined> {
    const p = this.params();
    const [row] = await session.query<{ at: unknown }>(
      `SELECT MIN(available_at) AS at FROM ${this.t} WHERE lane IN (${p.list(lanes)}) AND status = 'retrying' AND available_at > ${p.add(
        this.toDbTime(now),
      )}`,
      p.values,
    );
    return row?.at === null || row?.at === undefined ? undefined : this.fromDbTime(row.at).getTime();
  }

  /**
   * For each lane, its first `limit` pending rows in id order that no earlier unfinished row of
   * their key holds back; one round trip for all lanes (a UNION of per-lane index range scans).
   */
  async fetchPending(session: SqlSession, reads: PendingRead[], blockOnDead: boolean): Promise<OutboxRow[]> {
    if (reads.length === 0) return [];
    const p = this.params();
    const parts = reads.map(
      (read, i) =>
        `SELECT * FROM (SELECT ${OutboxStore.COLUMNS} FROM ${this.t} o WHERE o.lane = ${p.add(read.lane)} AND o.status = 'pending' AND ${this.noEarlierBlocker(
          blockOnDead,
        )} ORDER BY o.id LIMIT ${p.add(read.limit)}) ${this.quote(`l${i}`)}`,
    );
    const rows = await session.query<Record<string, unknown>>(parts.join(' UNION ALL '), p.values);
    return rows.map((r) => this.toRow(r)).sort((a, b) => a.id - b.id);
  }

  /** Rows Kafka acked: marked published, or deleted when nothing is retained. */
  async markPublished(session: SqlSession, ids: number[], at: Date, deleteRows: boolean): Promise<void> {
    if (ids.length === 0) return;
    const p = this.params();
    if (deleteRows) {
      await session.execute(`DELETE FROM ${this.t} WHERE id IN (${p.list(ids)})`, p.values);
      return;
    }
    const set = `status = 'published', published_at = ${p.add(this.toDbTime(at))}, attempts = attempts + 1, last_error = NULL`;
    await session.execute(`UPDATE ${this.t} SET ${set} WHERE id IN (${p.list(ids)}) AND status IN ('pending', 'retrying')`, p.values);
  }

  /** Record a refused send. */
  async markFailed(session: SqlSession, failure: OutboxRowFailure): Promise<void> {
    const p = this.params();
    await session.execute(
      `UPDATE ${this.t} SET status = ${p.add(failure.status)}, attempts = ${p.add(failure.attempts)}, available_at = ${p.add(
        this.toDbTime(failure.availableAt),
      )}, last_error = ${p.add(failure.error)} WHERE id = ${p.add(failure.id)} AND status IN ('pending', 'retrying')`,
      p.values,
    );
  }

  /** Delete up to `limit` rows published before `cutoff`; returns how many went. */
  async deletePublishedBefore(session: SqlSession, cutoff: Date, limit: number): Promise<number> {
    const p = this.params();
    return session.execute(
      `DELETE FROM ${this.t} WHERE id IN (SELECT id FROM ${this.t} WHERE status = 'published' AND published_at < ${p.add(
        this.toDbTime(cutoff),
      )} ORDER BY id LIMIT ${p.add(limit)})`,
      p.values,
    );
  }

  // ---- figures and admin -----------------------------------------------------------------------

  async stats(session: SqlSession): Promise<OutboxTableStats> {
    const counts = await session.query<{ status: string; n: unknown }>(
      `SELECT status, COUNT(*) AS n FROM ${this.t} WHERE status IN ('pending', 'retrying', 'dead') GROUP BY status`,
    );
    const count = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0);
    let oldest: Date | null = null;
    for (const status of ['pending', 'retrying']) {
      const [row] = await session.query<{ created_at: unknown }>(
        `SELECT created_at FROM ${this.t} WHERE status = '${status}' ORDER BY id LIMIT 1`,
      );
      if (row) {
        const at = this.fromDbTime(row.created_at);
        if (!oldest || at < oldest) oldest = at;
      }
    }
    return { pending: count('pending'), retrying: count('retrying'), dead: count('dead'), oldestUnpublishedAt: oldest };
  }

  async listDead(session: SqlSession, limit: number, afterId: number): Promise<OutboxRow[]> {
    const p = this.params();
    const rows = await session.query<Record<string, unknown>>(
      `SELECT ${OutboxStore.COLUMNS} FROM ${this.t} WHERE status = 'dead' AND id > ${p.add(afterId)} ORDER BY id LIMIT ${p.add(limit)}`,
      p.values,
    );
    return rows.map((r) => this.toRow(r));
  }

  /**
   * Dead rows back to `retrying` with a fresh attempt budget. Retrying rows ship before later rows
   * of their key, so a requeued row keeps its place under the 'block' policy.
   */
  async requeueDead(session: SqlSession, ids: number[] | undefined, now: Date): Promise<number> {
    const p = this.params();
    const set = `status = 'retrying', attempts = 0, available_at = ${p.add(this.toDbTime(now))}`;
    const which = ids ? ` AND id IN (${p.list(ids)})` : '';
    return session.execute(`UPDATE ${this.t} SET ${set} WHERE status = 'dead'${which}`, p.values);
  }

  async purgeDead(session: SqlSession, ids: number[] | undefined): Promise<number> {
    const p = this.params();
    const which = ids ? ` AND id IN (${p.list(ids)})` : '';
    return session.execute(`DELETE FROM ${this.t} WHERE status = 'dead'${which}`, p.values);
  }

  protected toRow(r: Record<string, unknown>): OutboxRow {
    return {
      id: Number(r.id),
      eventId: String(r.event_id),
      topic: String(r.topic),
      key: (r.message_key as string | null) ?? null,
      type: String(r.event_type),
      version: Number(r.event_version),
      payload: String(r.payload),
      headers: JSON.parse(String(r.headers)) as Record<string, string>,
      lane: Number(r.lane),
      status: r.status as OutboxRowStatus,
      attempts: Number(r.attempts),
      lastError: (r.last_error as string | null) ?? null,
      createdAt: this.fromDbTime(r.created_at),
      availableAt: this.fromDbTime(r.available_at),
      publishedAt: r.published_at === null || r.published_at === undefined ? null : this.fromDbTime(r.published_at),
    };
  }
}
