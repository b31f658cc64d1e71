import type { MigrationInterface, QueryRunner } from 'typeorm';
import { OutboxConfigurationException } from '../exceptions/outbox-configuration.exception';
import { createOutboxStore } from '../store/create-outbox-store';
import { assertValidTableName } from '../util/outbox-table-name';

/** Options of `createOutboxMigration`. */
export interface OutboxMigrationOptions {
  /** Outbox table name (same as `OutboxModule`'s `tableName`). @default 'tributary_outbox' */
  tableName?: string;
  /** Migration timestamp, part of its name; change it only to order it among your own. @default 1764115200000 */
  timestamp?: number;
  /**
   * Lane count to record with the table (same as `OutboxModule`'s `lanes`). Unset: the first
   * instance that starts records its own `lanes`.
   * @default undefined
   */
  lanes?: number;
}

/**
 * A TypeORM migration class creating the outbox, lane and meta tables with their indexes, for the
 * database the migration runs on (PostgreSQL, MySQL/MariaDB, SQLite). Add it to your DataSource's
 * `migrations`: `migrations: [createOutboxMigration({ tableName: 'orders_outbox' })]`.
 */
export function createOutboxMigration(options: OutboxMigrationOptions = {}): new () => MigrationInterface {
  const tableName = assertValidTableName(options.tableName ?? 'tributary_outbox');
  const timestamp = options.timestamp ?? 1764115200000;
  const lanes = options.lanes;
  if (lanes !== undefined && (!Number.isInteger(lanes) || lanes < 1 || lanes > 4096)) {
    throw new OutboxConfigurationException(`createOutboxMigration \`lanes\` must be an integer between 1 and 4096, got ${String(lanes)}`);
  }
  const name = `TributaryOutbox_${tableName}${timestamp}`;
  class TributaryOutboxMigration implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      const store = createOutboxStore(queryRunner.connection, tableName);
      for (const sql of store.schemaStatements()) await queryRunner.query(sql);
      if (lanes !== undefined) {
        const record = store.recordLaneCountStatement(lanes);
        await queryRunner.query(record.sql, record.params);
      }
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const sql of createOutboxStore(queryRunner.connection, tableName).dropStatements()) await queryRunner.query(sql);
    }
  }
  Object.defineProperty(TributaryOutboxMigration, 'name', { value: name });
  return TributaryOutboxMigration;
}
