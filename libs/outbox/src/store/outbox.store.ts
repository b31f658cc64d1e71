import type { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { NewOutboxRow, OutboxRow, OutboxRowStatus } from './outbox-row.interface';
import { SqlParams, type SqlSession } from './sql-session';

/** Supported SQL dialects. */
export type OutboxDialect = 'postgres' | 'mysql' | 'sqlite';

/** One lane's share of a pending read. */
export interface PendingRead {
  lane: number;
  limit: number;
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

  protected static readonly COLUMNS =
    'id, event_id, topic, message_key, event_type, event_version, payload, headers, lane, status, attempts, last_error, created_at, available_at, published_at';

  constructor(
    readonly dataSource: DataSource,
    readonly tableName: string,
  ) {
    this.t = this.quote(tableName);
    this.lanesTable = this.quote(`${tableName}_lanes`);
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
  /** A time read back from the driver. */
  protected fromDbTime(value: unknown): Date {
    return value instanceof Date ? value : new Date(String(value));
  }
  /**
   * Run `fn` while this process holds some of `lanes` exclusively (those passed to `fn`), with the
   * rows changed atomically where the database allows. Lanes another relay holds are skipped;
   * resolves to undefined when it holds them all.
   */
  abstract withLanes<T>(lanes: number[], fn: (session: SqlSession, held: number[]) => Promise<T>): Promise<T | undefined>;
  /** Run `fn` on a connection outside any business transaction (admin, metrics, sweeps). */
  abstract withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Wake the relays listening for `lanes` once the caller's transaction commits. */
  async notify(_session: SqlSession, _lanes: number[]): Promise<void> {}
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
      `CREATE TABLE IF NOT EXISTS ${this.lanesTable} (lane ${c.int} NOT NULL PRIMARY KEY)${this.tableOptions}`,
    ];
  }

  dropStatements(): string[] {
    return [`DROP TABLE IF EXISTS ${this.lanesTable}`, `DROP TABLE IF EXISTS ${this.t}`];
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
      const p = this.params();
      const values = rows.slice(start, start + INSERT_CHUNK).map((r) => {
        const at = this.toDbTime(r.createdAt);
        return `(${p.list([r.eventId, r.topic, r.key, r.type, r.version, r.payload, JSON.stringify(r.headers), r.lane, 'pending', 0, at, at])})`;
      });
      await session.execute(
        `INSERT INTO ${this.t} (event_id, topic, message_key, event_type, event_version, payload, headers, lane, status, attempts, created_at, available_at) VALUES ${values.join(', ')}`,
        p.values,
      );
    }
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
  private noEarlierBlocker(blockOnDead: boolean): string {
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
    await session.execute(`UPDATE ${this.t} SET ${set} WHERE id IN (${p.list(ids)})`, p.values);
  }

  /** Record a refused send. */
  async markFailed(session: SqlSession, failure: OutboxRowFailure): Promise<void> {
    const p = this.params();
    await session.execute(
      `UPDATE ${this.t} SET status = ${p.add(failure.status)}, attempts = ${p.add(failure.attempts)}, available_at = ${p.add(
        this.toDbTime(failure.availableAt),
      )}, last_error = ${p.add(failure.error)} WHERE id = ${p.add(failure.id)}`,
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
