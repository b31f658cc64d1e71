import type { DataSource } from 'typeorm';
import { UnsupportedOutboxDatabaseException } from '../exceptions/unsupported-outbox-database.exception';
import { assertValidTableName } from '../util/outbox-table-name';
import { MysqlOutboxStore } from './mysql-outbox.store';
import type { OutboxStore } from './outbox.store';
import { PostgresOutboxStore, type PostgresOutboxStoreOptions } from './postgres-outbox.store';
import { SqliteOutboxStore } from './sqlite-outbox.store';

/** The store for a DataSource's database type; `options` apply to PostgreSQL only. */
export function createOutboxStore(dataSource: DataSource, tableName: string, options: PostgresOutboxStoreOptions = {}): OutboxStore {
  assertValidTableName(tableName);
  const type = dataSource.options.type;
  switch (type) {
    case 'postgres':
      return new PostgresOutboxStore(dataSource, tableName, options);
    case 'mysql':
    case 'mariadb':
      return new MysqlOutboxStore(dataSource, tableName);
    case 'better-sqlite3':
      return new SqliteOutboxStore(dataSource, tableName);
    default:
      throw new UnsupportedOutboxDatabaseException(type);
  }
}
