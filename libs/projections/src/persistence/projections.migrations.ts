import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { ProjectionTableNames } from '../interfaces/projections-module-options.interface';
import { resolveProjectionsOptions } from '../projections-options.validator';
import { createProjectionStore } from './dialect-stores';

/**
 * TypeORM migrations creating the inbox and checkpoint tables (PostgreSQL, MySQL/MariaDB, SQLite;
 * the dialect is read from the connection), then adding the inbox's `outcome` column and the
 * `(projection, applied_at)` index of its retention sweep. Pass the same table names as to
 * `ProjectionsModule` and set `createTables: false` there.
 *
 * ```ts
 * new DataSource({ ..., migrations: [...projectionsMigrations({ inbox: 'orders_inbox' })] })
 * ```
 */
export function projectionsMigrations(tables: ProjectionTableNames = {}): Array<new () => MigrationInterface> {
  const { checkpointTable, inboxTable } = resolveProjectionsOptions({ tables }, 'migrations');
  const storeOf = (queryRunner: QueryRunner) => createProjectionStore(queryRunner.connection.options.type, checkpointTable, inboxTable);
  class TributaryProjectionsTables1764100000000 implements MigrationInterface {
    name = 'TributaryProjectionsTables1764100000000';
    async up(queryRunner: QueryRunner): Promise<void> {
      for (const sql of storeOf(queryRunner).createTablesSql()) await queryRunner.query(sql);
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      for (const sql of storeOf(queryRunner).dropTablesSql()) await queryRunner.query(sql);
    }
  }
  /** Upgrade of tables created by the first migration (or by `createTables` of an earlier version). */
  class TributaryProjectionsInboxRetention1764900000000 implements MigrationInterface {
    name = 'TributaryProjectionsInboxRetention1764900000000';
    async up(queryRunner: QueryRunner): Promise<void> {
      const store = storeOf(queryRunner);
      await store.runDdl(queryRunner, store.inboxRetentionSql());
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      for (const sql of storeOf(queryRunner).dropInboxRetentionSql()) await queryRunner.query(sql);
    }
  }
  return [TributaryProjectionsTables1764100000000, TributaryProjectionsInboxRetention1764900000000];
}
