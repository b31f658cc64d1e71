import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { OutboxConfigurationException } from './exceptions/outbox-configuration.exception';
import type { OutboxModuleOptions } from './interfaces/outbox-module-options.interface';
import { OUTBOX_MODULE_OPTIONS } from './outbox-module-definition';
import { resolveOutboxOptions, type ResolvedOutboxOptions } from './outbox-options.validator';
import { createOutboxStore } from './store/create-outbox-store';
import type { OutboxStore } from './store/outbox.store';

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

  async onModuleInit(): Promise<void> {
    const { dataSource, store } = this.resolve();
    if (!this.options.ensureSchema) return;
    const runner = dataSource.createQueryRunner();
    try {
      for (const statement of store.schemaStatements()) await runner.query(statement);
    } finally {
      await runner.release();
    }
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
    this.resolved = { dataSource, store: createOutboxStore(dataSource, this.options.tableName) };
    return this.resolved;
  }
}
