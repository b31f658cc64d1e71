import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { KafkaModule } from '@tributary/kafka';
import { mariadbUrl, postgresUrl, uniqueName } from '@tributary/testing';
import { IntegrationEvent, OutboxModule, type OutboxModuleOptions } from '@tributary/outbox';
import { IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** A Nest app context with KafkaModule, TypeOrmModule and OutboxModule. */
export async function startOutboxApp(options: {
  brokers: string[];
  database: TypeOrmModuleOptions;
  outbox: OutboxModuleOptions;
  serviceName?: string;
}): Promise<INestApplicationContext> {
  const imports: DynamicModule[] = [
    KafkaModule.forRoot({ brokers: options.brokers, serviceName: options.serviceName ?? 'outbox-test', logLevel: 'nothing' }),
    TypeOrmModule.forRoot({ ...options.database, name: undefined, synchronize: false } as TypeOrmModuleOptions),
    OutboxModule.forRoot(options.outbox),
  ];
  @Module({ imports })
  class OutboxTestAppModule {}
  return NestFactory.createApplicationContext(OutboxTestAppModule, { logger: ['error', 'warn'], abortOnError: false });
}

export { uniqueName };
