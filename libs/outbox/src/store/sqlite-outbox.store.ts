import type { DataSource } from 'typeorm';
import { OutboxConfigurationException } from '../exceptions/outbox-configuration.exception';
import { OutboxStore, type OutboxColumnTypes, type OutboxDialect } from './outbox.store';
import type { SqlSession } from './sql-session';

/** The part of a better-sqlite3 `Database` the store uses. */
interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  pragma(text: string): unknown;
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
 * stored as ISO-8601 text (sortable). Rows are not locked: the send happens outside any
 * transaction so business writes are never blocked behind Kafka.
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

  async withLanes<T>(lanes: number[], fn: (session: SqlSession, held: number[]) => Promise<T>): Promise<T | undefined> {
    // Single relay: the relay itself never runs two batches of one lane at once.
    return fn(this.own(), lanes);
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
