import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { OutboxConfigurationException } from './exceptions/outbox-configuration.exception';
import { OutboxLaneCountMismatchException } from './exceptions/outbox-lane-count-mismatch.exception';
import type { OutboxModuleOptions } from './interfaces/outbox-module-options.interface';
import { OUTBOX_MODULE_OPTIONS } from './outbox-module-definition';
import { resolveOutboxOptions, type ResolvedOutboxOptions } from './outbox-options.validator';
import { createOutboxStore } from './store/create-outbox-store';
import type { OutboxStore } from './store/outbox.store';
import { QueryRunnerSession } from './store/sql-session';

function isDataSource(value: unknown): value is DataSource {
  return (
    value instanceof DataSource ||
    (!!value && typeof value === 'object' && typeof (value as DataSource).createQueryRunner === 'function' && 'options' in value)
  );
}

/**
 * The outbox's resolved options, the app's DataSource and the store for its database, shared by
 * the publisher, relay, admin and health indicator. The DataSource is looked up lazily (first use
 * or module init), when every module's providers exist.
 */
@Injectable()
export class OutboxContext implements OnModuleInit, OnApplicationShutdown {
  readonly options: ResolvedOutboxOptions;
  private resolved?: { dataSource: DataSource; store: OutboxStore };

  constructor(
    @Inject(OUTBOX_MODULE_OPTIONS) private readonly raw: OutboxModuleOptions,
    private readonly moduleRef: ModuleRef,
  ) {
    this.options = resolveOutboxOptions(raw);
  }

  get dataSource(): DataSource {
    return this.resolve().dataSource;
  }

  get store(): OutboxStore {
    return this.resolve().store;
  }

  /**
   * Runs the DDL with `ensureSchema`, then checks the lane count recorded with the table (recording
   * this instance's when none is): another value throws `OutboxLaneCountMismatchException`, so the
   * app does not start.
   */
  async onModuleInit(): Promise<void> {
    const { dataSource, store } = this.resolve();
    const { tableName, lanes } = this.options;
    const runner = dataSource.createQueryRunner();
    let recorded: number;
    try {
      if (this.options.ensureSchema) for (const statement of store.schemaStatements()) await runner.query(statement);
      try {
        recorded = await store.recordLaneCount(new QueryRunnerSession(runner), lanes);
      } catch (e) {
        throw new OutboxConfigurationException(
          `cannot read the lane count of "${tableName}" from ${tableName}_meta, or the lease columns of ${tableName}_lanes ` +
            `(${(e as Error).message}): run the migration from createOutboxMigration({ tableName: '${tableName}' }) ` +
            '(migrationsRun: true), or set ensureSchema: true. A table made by an earlier version: see "Upgrading" in the @tributary/outbox README.',
        );
      }
    } finally {
      await runner.release();
    }
    if (recorded !== lanes) throw new OutboxLaneCountMismatchException(tableName, recorded, lanes);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.resolved?.store.close();
  }

  private resolve(): { dataSource: DataSource; store: OutboxStore } {
    if (this.resolved) return this.resolved;
    const option = this.raw.dataSource;
    let dataSource: unknown = option;
    if (!isDataSource(option)) {
      const token = option ?? DataSource;
      try {
        dataSource = this.moduleRef.get(token, { strict: false });
      } catch {
        throw new OutboxConfigurationException(
          `no TypeORM DataSource is provided under ${typeof token === 'function' ? token.name : String(token)}: ` +
            'import TypeOrmModule.forRoot(...) or pass `dataSource` (an instance or its token) to OutboxModule.forRoot',
        );
      }
    }
    if (!isDataSource(dataSource)) {
      throw new OutboxConfigurationException('`dataSource` did not resolve to a TypeORM DataSource');
    }
    if (!dataSource.isInitialized) {
      throw new OutboxConfigurationException('the DataSource is not initialized: call dataSource.initialize() before the app starts');
    }
    const store = createOutboxStore(dataSource, this.options.tableName, { preparedStatements: this.options.relay.preparedStatements });
    this.resolved = { dataSource, store };
    return this.resolved;
  }
}
