import { ConsoleLogger, Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { getDataSourceToken, TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { KafkaModule, type KafkaModuleOptions } from '@tributary/kafka';
import { mariadbUrl, postgresUrl, uniqueName } from '@tributary/testing';
import { IntegrationEvent, OutboxModule, type OutboxModuleOptions } from '@tributary/outbox';
import { IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';

export type TestDatabase = 'postgres' | 'mariadb' | 'sqlite';

/** TypeORM connection options of a test database (SQLite: a fresh file). */
export function databaseOptions(db: TestDatabase): TypeOrmModuleOptions {
  switch (db) {
    case 'postgres':
      return { type: 'postgres', url: postgresUrl(), poolSize: 10 };
    case 'mariadb':
      return { type: 'mariadb', url: mariadbUrl(), connectorPackage: 'mysql2', poolSize: 10 };
    case 'sqlite':
      return { type: 'better-sqlite3', database: join(mkdtempSync(join(tmpdir(), 'outbox-')), 'test.sqlite'), enableWAL: true };
  }
}

export interface OrderEventInit {
  orderId: string;
  seq: number;
  note?: string;
  extra?: unknown;
}

export interface OrderEvent extends OrderEventInit {}

/** An event class publishing to `topic` (tests need their own topics, so classes are made per topic). */
export function defineOrderEvent(topic: string): new (init: OrderEventInit) => OrderEvent {
  @IntegrationEvent<OrderPlaced>({ type: `outbox-test.order-placed.${topic}`, topic, key: 'orderId' })
  class OrderPlaced {
    @IsString()
    @IsNotEmpty()
    orderId!: string;

    @IsInt()
    @Min(0)
    seq!: number;

    @IsOptional()
    @IsString()
    note?: string;

    extra?: unknown;

    constructor(init: OrderEventInit) {
      Object.assign(this, init);
    }
  }
  return OrderPlaced;
}

/** Options of the outbox test apps. */
export interface OutboxTestAppOptions {
  brokers: string[];
  database: TypeOrmModuleOptions;
  outbox: OutboxModuleOptions;
  serviceName?: string;
  kafka?: Partial<KafkaModuleOptions>;
  /** Configure the outbox through `forRootAsync`, handing it the DataSource instance. */
  useAsync?: boolean;
}

/** The root module of an outbox test app: KafkaModule, TypeOrmModule and OutboxModule. */
export function outboxTestModule(options: OutboxTestAppOptions): new () => object {
  const imports: DynamicModule[] = [
    KafkaModule.forRoot({ brokers: options.brokers, serviceName: options.serviceName ?? 'outbox-test', logLevel: 'nothing', ...options.kafka }),
    TypeOrmModule.forRoot({ ...options.database, name: undefined, synchronize: false } as TypeOrmModuleOptions),
    options.useAsync
      ? OutboxModule.forRootAsync({
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => ({ ...options.outbox, dataSource }),
        })
      : OutboxModule.forRoot(options.outbox),
  ];
  @Module({ imports })
  class OutboxTestAppModule {}
  return OutboxTestAppModule;
}

/** Drop an outbox table and the lane and meta tables beside it (PostgreSQL and SQLite quoting). */
export async function dropOutboxTables(dataSource: DataSource | undefined, tableName: string): Promise<void> {
  for (const table of [`${tableName}_meta`, `${tableName}_lanes`, tableName]) {
    await dataSource?.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => undefined);
  }
}

/** A Nest app context with KafkaModule, TypeOrmModule and OutboxModule. */
export async function startOutboxApp(options: OutboxTestAppOptions): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(outboxTestModule(options), { logger: ['error', 'warn'], abortOnError: false });
}

/**
 * Start an outbox test app that is expected to fail at start-up; resolves to the error (or throws
 * if it started). The app is closed either way, so nothing leaks.
 */
export async function startupError(options: OutboxTestAppOptions): Promise<unknown> {
  const moduleRef = await Test.createTestingModule({ imports: [outboxTestModule(options)] })
    .setLogger(new ConsoleLogger({ logLevels: ['error'] }))
    .compile();
  let error: unknown;
  try {
    await moduleRef.init();
  } catch (e) {
    error = e;
    // Nest's close() re-awaits the failed init and would throw before closing anything.
    (moduleRef as unknown as { initializationPromise?: Promise<void> }).initializationPromise = undefined;
  }
  await moduleRef.close();
  if (error === undefined) throw new Error('the outbox app started, but was expected to refuse');
  return error;
}

export { uniqueName };

/** What arrived, compared with what was published. */
export interface DeliveryReport {
  /** Distinct events received. */
  received: number;
  /** Messages received more than once (at-least-once re-sends). */
  duplicates: number;
  /** Published event ids that never arrived. */
  missing: string[];
  /** Keys whose events arrived out of `seq` order (first occurrences), with the order seen. */
  outOfOrder: Array<{ key: string; seqs: number[] }>;
}

/**
 * Check delivery of `published` (event id → key and seq) against captured messages. Order is
 * judged per key on first occurrences: a re-sent batch repeats events already seen, which consumers
 * drop by event id.
 */
export function checkDelivery(
  messages: Array<{ key: string | null; value: Buffer | null; headers: Record<string, string> }>,
  published: Map<string, { key: string; seq: number }>,
): DeliveryReport {
  const seen = new Set<string>();
  const seqsByKey = new Map<string, number[]>();
  let duplicates = 0;
  for (const m of messages) {
    const id = m.headers['tributary-event-id'];
    if (seen.has(id)) {
      duplicates++;
      continue;
    }
    seen.add(id);
    const { seq } = JSON.parse(m.value!.toString()) as { seq: number };
    const list = seqsByKey.get(m.key ?? '') ?? [];
    list.push(seq);
    seqsByKey.set(m.key ?? '', list);
  }
  const outOfOrder: DeliveryReport['outOfOrder'] = [];
  for (const [key, seqs] of seqsByKey) {
    if (seqs.some((s, i) => i > 0 && s < seqs[i - 1])) outOfOrder.push({ key, seqs });
  }
  const missing = [...published.keys()].filter((id) => !seen.has(id));
  return { received: seen.size, duplicates, missing, outOfOrder };
}
