import { LockingOutboxStore } from './locking-outbox.store';
import type { OutboxColumnTypes, OutboxDialect } from './outbox.store';
import { LANE_COUNT_KEY } from './outbox.store';
import type { SqlParams, SqlSession } from './sql-session';

/** MySQL 8 / MariaDB 10.6+: lane row locks with SKIP LOCKED; relays poll (no NOTIFY). */
export class MysqlOutboxStore extends LockingOutboxStore {
  readonly dialect: OutboxDialect = 'mysql';

  protected quote(identifier: string): string {
    return `\`${identifier}\``;
  }

  protected placeholder(): string {
    return '?';
  }

  protected insertIgnore(table: string, columns: string, values: string): string {
    return `INSERT IGNORE INTO ${table} (${columns}) VALUES ${values}`;
  }

  protected readonly columnTypes: OutboxColumnTypes = {
    id: 'BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY',
    uuid: 'CHAR(36)',
    topic: 'VARCHAR(249)',
    key: 'VARCHAR(512)',
    name: 'VARCHAR(255)',
    int: 'INT',
    text: 'TEXT',
    longText: 'LONGTEXT',
    status: 'VARCHAR(16)',
    time: 'DATETIME(3)',
  };
  protected override readonly tableOptions = ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4';
  protected override readonly inlineIndexes = true;

  protected leaseNow(): string {
    return 'UTC_TIMESTAMP(3)';
  }

  protected leaseNowPlus(p: SqlParams, ms: number): string {
    return `DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ${p.add(ms * 1000)} MICROSECOND)`;
  }

  /** `publish` reads the lane count with a shared lock after its insert; the re-lane takes it exclusively. */
  protected override readonly laneCountReadLock = ' LOCK IN SHARE MODE';

  protected async holdBackPublishers(session: SqlSession): Promise<void> {
    await session.query(`SELECT meta_value FROM ${this.metaTable} WHERE meta_key = ? FOR UPDATE`, [LANE_COUNT_KEY]);
  }

  /** MySQL refuses LIMIT inside an IN subquery, but takes ORDER BY/LIMIT on DELETE itself. */
  override async deletePublishedBefore(session: SqlSession, cutoff: Date, limit: number): Promise<number> {
    return session.execute(
      `DELETE FROM ${this.t} WHERE status = 'published' AND published_at < ? ORDER BY id LIMIT ?`,
      [this.toDbTime(cutoff), limit],
    );
  }
}
