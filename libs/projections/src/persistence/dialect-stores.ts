import type { DataSource } from 'typeorm';
import { ProjectionsConfigurationException } from '../exceptions/projections-configuration.exception';
import { ProjectionStore } from './projection-store';

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
}

/** SQLite: one writer at a time, so the transaction itself is the lock; `?` placeholders. */
export class SqliteProjectionStore extends ProjectionStore {
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
