import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxStore } from '../store/create-outbox-store';
import { assertValidTableName } from '../util/sql-identifier';

/** Options of `createOutboxMigration`. */
export interface OutboxMigrationOptions {
  /** Outbox table name (same as `OutboxModule`'s `tableName`). @default 'tributary_outbox' */
  tableName?: string;
  /** Migration timestamp, part of its name; change it only to order it among your own. @default 1764115200000 */
  timestamp?: number;
}

/**
 * A TypeORM migration class creating the outbox and lane tables with their indexes, for the
 * database the migration runs on (PostgreSQL, MySQL/MariaDB, SQLite). Add it to your DataSource's
 * `migrations`: `migrations: [createOutboxMigration({ tableName: 'orders_outbox' })]`.
 */
export function createOutboxMigration(options: OutboxMigrationOptions = {}): new () => MigrationInterface {
  const tableName = assertValidTableName(options.tableName ?? 'tributary_outbox');
  const timestamp = options.timestamp ?? 1764115200000;
  const name = `TributaryOutbox_${tableName}${timestamp}`;
  class TributaryOutboxMigration implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const sql of createOutboxStore(queryRunner.connection, tableName).schemaStatements()) await queryRunner.query(sql);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const sql of createOutboxStore(queryRunner.connection, tableName).dropStatements()) await queryRunner.query(sql);
    }
  }
  Object.defineProperty(TributaryOutboxMigration, 'name', { value: name });
  return TributaryOutboxMigration;
}
