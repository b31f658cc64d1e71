import type { DataSource } from 'typeorm';
import { ProjectionsConfigurationException } from '../exceptions/projections-configuration.exception';
import { ProjectionStore, type Executor, type InboxEntry } from './projection-store';

/** PostgreSQL: row lock with FOR UPDATE, `$n` placeholders. */
export class PostgresProjectionStore extends ProjectionStore {
  protected readonly lockClause = ' FOR UPDATE';
  protected readonly maxParams = 30_000;
  protected quote(identifier: string): string {
    return `"${identifier}"`;
  }
  protected param(index: number): string {
    return `$${index}`;
  }
  protected insertCheckpointIfMissingSql(): string {
    return `INSERT INTO ${this.cp} (projection, topic, topic_partition, last_offset) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`;
  }
  protected readonly columnTypes = { integer: 'integer', timestamp: 'timestamptz NOT NULL DEFAULT now()', tableSuffix: '' };
  protected override readonly addColumnIfNotExists = 'IF NOT EXISTS ';
  protected createRetentionIndexSql(index: string): string {
    return `CREATE INDEX IF NOT EXISTS ${this.quote(index)} ON ${this.inbox} (projection, applied_at)`;
  }
  protected dropRetentionIndexSql(index: string): string {
    return `DROP INDEX IF EXISTS ${this.inboxSchemaPrefix()}${this.quote(index)}`;
  }
  /** PostgreSQL has no DELETE … LIMIT: the primary keys of the oldest rows come from a subquery. */
  protected deleteExpiredInboxSql() {
    return {
      sql:
        `DELETE FROM ${this.inbox} WHERE projection = $1 AND event_id IN (SELECT event_id FROM ${this.inbox}` +
        ` WHERE projection = $1 AND applied_at < now() - $2::double precision * interval '1 millisecond' ORDER BY applied_at LIMIT $3)`,
      params: (projection: string, retentionMs: number, limit: number) => [projection, retentionMs, limit],
    };
  }

  /**
   * One statement per batch: insert the ids, skipping those already there, and get back the ones
   * inserted. A concurrent transaction claiming the same id makes this one wait for its outcome.
   * The rows travel as one JSON parameter (cheaper to serialise than parameter lists or arrays).
   */
  override async claimEventIds(db: Executor, projection: string, entries: InboxEntry[]): Promise<Set<string>> {
    const rows = (await db.query(
      `INSERT INTO ${this.inbox} (projection, event_id, topic, topic_partition, message_offset)` +
        ' SELECT $1, x.e, x.t, x.p, x.o FROM json_to_recordset($2::json) AS x(e varchar, t varchar, p integer, o bigint)' +
        ' ON CONFLICT DO NOTHING RETURNING event_id',
      [projection, JSON.stringify(entries.map((e) => ({ e: e.eventId, t: e.topic, p: e.partition, o: e.offset })))],
    )) as Array<{ event_id: string }>;
    return new Set(rows.map((r) => r.event_id));
  }

  /**
   * A plain insert: about half the cost of `ON CONFLICT DO NOTHING RETURNING` (no speculative
   * insertion, no rows back). A duplicate id fails it with a unique violation (23505), which
   * aborts the transaction: null tells the caller to roll back and claim with `claimEventIds`.
   * A concurrent transaction holding the same id makes it wait for that one's outcome, as above.
   * A batch's entries share their topic and partition: those travel once, not as arrays.
   */
  override async claimNewEventIds(db: Executor, projection: string, entries: InboxEntry[]): Promise<Set<string> | 'all' | null> {
    const { topic, partition } = entries[0];
    const oneSource = entries.every((e) => e.topic === topic && e.partition === partition);
    try {
      if (oneSource) {
        await db.query(
          `INSERT INTO ${this.inbox} (projection, event_id, topic, topic_partition, message_offset)` +
            ' SELECT $1, x.e, $3, $4, x.o FROM unnest($2::varchar[], $5::bigint[]) AS x(e, o)',
          [projection, entries.map((e) => e.eventId), topic, partition, entries.map((e) => e.offset)],
        );
      } else {
        await db.query(
          `INSERT INTO ${this.inbox} (projection, event_id, topic, topic_partition, message_offset)` +
            ' SELECT $1, x.e, x.t, x.p, x.o FROM unnest($2::varchar[], $3::varchar[], $4::integer[], $5::bigint[]) AS x(e, t, p, o)',
          [projection, entries.map((e) => e.eventId), entries.map((e) => e.topic), entries.map((e) => e.partition), entries.map((e) => e.offset)],
        );
      }
    } catch (e) {
      if ((e as { code?: unknown }).code === '23505') return null;
      throw e;
    }
    return 'all';
  }
}

/** MySQL / MariaDB (InnoDB): row lock with FOR UPDATE, `?` placeholders. */
export class MysqlProjectionStore extends ProjectionStore {
  protected readonly lockClause = ' FOR UPDATE';
  protected readonly maxParams = 30_000;
  protected quote(identifier: string): string {
    return `\`${identifier}\``;
  }
  protected param(): string {
    return '?';
  }
  protected insertCheckpointIfMissingSql(): string {
    return `INSERT IGNORE INTO ${this.cp} (projection, topic, topic_partition, last_offset) VALUES (?, ?, ?, ?)`;
  }
  protected readonly columnTypes = { integer: 'int', timestamp: 'timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)', tableSuffix: ' ENGINE=InnoDB' };
  /** MySQL has no `CREATE INDEX IF NOT EXISTS` (MariaDB has): a second run fails with "Duplicate key name", which is tolerated. */
  protected createRetentionIndexSql(index: string): string {
    return `CREATE INDEX ${this.quote(index)} ON ${this.inbox} (projection, applied_at)`;
  }
  protected dropRetentionIndexSql(index: string): string {
    return `DROP INDEX ${this.quote(index)} ON ${this.inbox}`;
  }
  /** MySQL refuses LIMIT inside an IN subquery, but takes ORDER BY/LIMIT on DELETE itself. */
  protected deleteExpiredInboxSql() {
    return {
      sql: `DELETE FROM ${this.inbox} WHERE projection = ? AND applied_at < NOW(3) - INTERVAL ? MICROSECOND ORDER BY applied_at LIMIT ?`,
      params: (projection: string, retentionMs: number, limit: number) => [projection, Math.round(retentionMs * 1000), limit],
    };
  }
}

/** SQLite: one writer at a time, so the transaction itself is the lock; `?` placeholders. */
export class SqliteProjectionStore extends ProjectionStore {
  override readonly singleConnection = true;
  protected readonly lockClause = '';
  protected readonly maxParams = 999;
  protected quote(identifier: string): string {
    return `"${identifier}"`;
  }
  protected param(): string {
    return '?';
  }
  protected insertCheckpointIfMissingSql(): string {
    return `INSERT OR IGNORE INTO ${this.cp} (projection, topic, topic_partition, last_offset) VALUES (?, ?, ?, ?)`;
  }
  protected readonly columnTypes = { integer: 'integer', timestamp: 'datetime NOT NULL DEFAULT CURRENT_TIMESTAMP', tableSuffix: '' };
  /** SQLite qualifies the index name, not the table, with the schema. */
  protected createRetentionIndexSql(index: string): string {
    return `CREATE INDEX IF NOT EXISTS ${this.inboxSchemaPrefix()}${this.quote(index)} ON ${this.quote(this.inboxTable.split('.').pop()!)} (projection, applied_at)`;
  }
  protected dropRetentionIndexSql(index: string): string {
    return `DROP INDEX IF EXISTS ${this.inboxSchemaPrefix()}${this.quote(index)}`;
  }
  /** `applied_at` holds CURRENT_TIMESTAMP text (UTC, 'YYYY-MM-DD HH:MM:SS'): compared with datetime() text. */
  protected deleteExpiredInboxSql() {
    return {
      sql:
        `DELETE FROM ${this.inbox} WHERE rowid IN (SELECT rowid FROM ${this.inbox}` +
        ` WHERE projection = ? AND applied_at < datetime('now', ?) ORDER BY applied_at LIMIT ?)`,
      params: (projection: string, retentionMs: number, limit: number) => [projection, `-${retentionMs / 1000} seconds`, limit],
    };
  }
}

/** The store for a DataSource's driver. */
export function createProjectionStore(type: DataSource['options']['type'], checkpointTable: string, inboxTable: string): ProjectionStore {
  switch (type) {
    case 'postgres':
      return new PostgresProjectionStore(checkpointTable, inboxTable);
    case 'mysql':
    case 'mariadb':
      return new MysqlProjectionStore(checkpointTable, inboxTable);
    case 'better-sqlite3':
    case 'sqlite':
      return new SqliteProjectionStore(checkpointTable, inboxTable);
    default:
      throw new ProjectionsConfigurationException(
        `DataSource type "${type}" is not supported; use postgres, mysql, mariadb, better-sqlite3 or sqlite`,
      );
  }
}
