import type { DataSource } from 'typeorm';
import { OutboxConfigurationException } from '../exceptions/outbox-configuration.exception';
import { OutboxStore, type OutboxColumnTypes, type OutboxDialect } from './outbox.store';
import type { SqlParams, SqlSession } from './sql-session';

/** The part of a better-sqlite3 `Database` the store uses. */
interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  pragma(text: string): unknown;
  exec(sql: string): unknown;
  close(): void;
}
type SqliteConstructor = new (file: string, options?: Record<string, unknown>) => SqliteDatabase;

/** A session over the relay's own better-sqlite3 connection, with prepared statements cached. */
class SqliteSession implements SqlSession {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly db: SqliteDatabase) {}

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.statement(sql).all(...params) as T[];
  }

  async execute(sql: string, params: unknown[] = []): Promise<number> {
    return this.statement(sql).run(...params).changes;
  }

  private statement(sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (this.statements.size > 200) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/**
 * SQLite (better-sqlite3): one relay per database file, polling. TypeORM shares one connection for
 * the whole DataSource, so relay queries there could run inside a business transaction and see its
 * uncommitted rows; the relay therefore opens its own connection to the same file. Times are
 * stored as ISO-8601 text (sortable), lease times too (one machine, one clock). Rows are not
 * locked: the send happens outside any transaction so business writes are never blocked behind Kafka.
 */
export class SqliteOutboxStore extends OutboxStore {
  readonly dialect: OutboxDialect = 'sqlite';
  private session?: SqliteSession;
  private db?: SqliteDatabase;

  constructor(dataSource: DataSource, tableName: string) {
    super(dataSource, tableName);
  }

  protected quote(identifier: string): string {
    return `"${identifier}"`;
  }

  protected placeholder(): string {
    return '?';
  }

  protected insertIgnore(table: string, columns: string, values: string): string {
    return `INSERT OR IGNORE INTO ${table} (${columns}) VALUES ${values}`;
  }

  protected override toDbTime(date: Date): unknown {
    return date.toISOString();
  }

  protected readonly columnTypes: OutboxColumnTypes = {
    id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    uuid: 'TEXT',
    topic: 'TEXT',
    key: 'TEXT',
    name: 'TEXT',
    int: 'INTEGER',
    text: 'TEXT',
    longText: 'TEXT',
    status: 'TEXT',
    // ISO-8601 text sorts in time order.
    time: 'TEXT',
  };

  protected leaseNow(p: SqlParams): string {
    return p.add(new Date().toISOString());
  }

  protected leaseNowPlus(p: SqlParams, ms: number): string {
    return p.add(new Date(Date.now() + ms).toISOString());
  }

  /**
   * No transaction (the relay's batches share one connection): the lease is taken first, by one
   * atomic UPDATE, and released again on the lanes `read` has nothing to send from.
   */
  async claimLanes<T>(
    lanes: number[],
    owner: string,
    leaseMs: number,
    read: (session: SqlSession, held: number[]) => Promise<{ result: T; lease: number[] }>,
  ): Promise<T | undefined> {
    const session = this.own();
    const p = this.params();
    const set = `lease_owner = ${p.add(owner)}, lease_until = ${this.leaseNowPlus(p, leaseMs)}`;
    await session.execute(
      `UPDATE ${this.lanesTable} SET ${set} WHERE lane IN (${p.list(lanes)}) AND (lease_until IS NULL OR lease_until < ${this.leaseNow(p)})`,
      p.values,
    );
    const held = await this.leasedBy(session, lanes, owner);
    if (held.length === 0) return undefined;
    try {
      const { result, lease } = await read(session, held);
      await this.release(session, held.filter((lane) => !lease.includes(lane)));
      return result;
    } catch (e) {
      await this.release(session, held).catch(() => undefined);
      throw e;
    }
  }

  async withLeasedLanes<T>(lanes: number[], owner: string, fn: (session: SqlSession, ours: number[]) => Promise<T>): Promise<T> {
    const session = this.own();
    const ours = await this.leasedBy(session, lanes, owner);
    const result = await fn(session, ours);
    await this.release(session, ours);
    return result;
  }

  /** The write lock (BEGIN IMMEDIATE) on the relay's own connection: publishers wait for it. */
  protected async withRelaneTransaction<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
    const session = this.own();
    this.db!.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn(session);
      this.db!.exec('COMMIT');
      return result;
    } catch (e) {
      this.db!.exec('ROLLBACK');
      throw e;
    }
  }

  private async leasedBy(session: SqlSession, lanes: number[], owner: string): Promise<number[]> {
    const p = this.params();
    const rows = await session.query<{ lane: unknown }>(
      `SELECT lane FROM ${this.lanesTable} WHERE lane IN (${p.list(lanes)}) AND lease_owner = ${p.add(owner)}`,
      p.values,
    );
    return rows.map((r) => Number(r.lane));
  }

  private async release(session: SqlSession, lanes: number[]): Promise<void> {
    if (lanes.length === 0) return;
    const p = this.params();
    await session.execute(`UPDATE ${this.lanesTable} SET lease_owner = NULL, lease_until = NULL WHERE lane IN (${p.list(lanes)})`, p.values);
  }

  async withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
    return fn(this.own());
  }

  override async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.session = undefined;
  }

  private own(): SqliteSession {
    if (this.session) return this.session;
    const file = this.dataSource.options.database;
    if (typeof file !== 'string' || file === ':memory:' || file === '') {
      throw new OutboxConfigurationException(
        'the SQLite outbox needs a database file (the relay opens its own connection to it), not ":memory:"',
      );
    }
    const driver = this.dataSource.driver as unknown as { sqlite: SqliteConstructor };
    const timeout = (this.dataSource.options as { timeout?: number }).timeout ?? 5000;
    this.db = new driver.sqlite(file, { timeout });
    this.session = new SqliteSession(this.db);
    return this.session;
  }
}
