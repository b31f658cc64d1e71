import type { INestApplicationContext, Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { encodeEnvelope, IntegrationEvent, KafkaModule, type KafkaModuleOptions } from '@tributary/kafka';
import { ProjectionsModule, type ProjectionsModuleOptions } from '@tributary/projections';
import { mariadbUrl, postgresUrl, testBrokers, uniqueIdentifier, uniqueName } from '@tributary/testing';
import { IsInt, IsString } from 'class-validator';
import { createHash, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners, type Message, type Producer } from 'kafkajs';
import { DataSource } from 'typeorm';

export type Dialect = 'postgres' | 'mariadb' | 'sqlite';

/** A DataSource of the test machine for a dialect (SQLite: a temp file, removed by `closeDataSource`). */
export async function openDataSource(dialect: Dialect = 'postgres', sqliteFile?: string): Promise<DataSource> {
  const ds =
    dialect === 'postgres'
      ? new DataSource({ type: 'postgres', url: postgresUrl(), poolSize: 8 })
      : dialect === 'mariadb'
        ? new DataSource({ type: 'mariadb', url: mariadbUrl(), poolSize: 8 })
        : new DataSource({ type: 'better-sqlite3', database: sqliteFile ?? join(tmpdir(), `${uniqueName('projections')}.sqlite`) });
  return ds.initialize();
}

export async function closeDataSource(ds: DataSource | undefined): Promise<void> {
  if (!ds?.isInitialized) return;
  const file = ds.options.type === 'better-sqlite3' ? String(ds.options.database) : undefined;
  await ds.destroy();
  if (file) rmSync(file, { force: true });
}

/** Event classes of one test: unique type and topic names so runs never collide. */
export function defineCounterEvents(prefix = 'counter') {
  const topic = uniqueName(`${prefix}-events`);
  const type = uniqueName(`${prefix}.incremented`);

  @IntegrationEvent({ type, topic, key: 'counterId' })
  class CounterIncremented {
    @IsString() counterId!: string;
    @IsInt() amount!: number;
    @IsInt() seq!: number;
  }
  return { topic, type, CounterIncremented };
}

/** A log table the counter projections insert into: one row per application of an event. */
export async function createLogTable(ds: DataSource, table = uniqueIdentifier('applied')): Promise<string> {
  await ds.query(
    `CREATE TABLE ${table} (event_id varchar(100) NOT NULL, counter_id varchar(100) NOT NULL, amount integer NOT NULL,` +
      ' seq integer NOT NULL, topic_partition integer NOT NULL, message_offset integer NOT NULL)',
  );
  return table;
}

/** Insert one log row through the handler's transaction (dialect-neutral query builder). */
export async function logApplication(
  manager: import('typeorm').EntityManager,
  table: string,
  event: { counterId: string; amount: number; seq: number },
  ctx: { eventId: string; partition: number; offset: string },
): Promise<void> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(table, ['event_id', 'counter_id', 'amount', 'seq', 'topic_partition', 'message_offset'])
    .values({
      event_id: ctx.eventId,
      counter_id: event.counterId,
      amount: event.amount,
      seq: event.seq,
      topic_partition: ctx.partition,
      message_offset: Number(ctx.offset),
    })
    .execute();
}

/** Rows of the log table. */
export async function readLog(ds: DataSource, table: string): Promise<Array<{ event_id: string; counter_id: string; amount: number; seq: number }>> {
  const rows = (await ds.query(`SELECT event_id, counter_id, amount, seq FROM ${table}`)) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ event_id: String(r.event_id), counter_id: String(r.counter_id), amount: Number(r.amount), seq: Number(r.seq) }));
}

/** Checksum of the read model: per counter, its event count, sum and the sequence of seqs in apply order-insensitive form. */
export async function readModelChecksum(ds: DataSource, table: string): Promise<string> {
  const rows = await readLog(ds, table);
  const lines = rows.map((r) => `${r.event_id}|${r.counter_id}|${r.amount}|${r.seq}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** Test producer: raw kafkajs, so tests can also write duplicates and garbage. */
export class TestProducer {
  private constructor(private readonly producer: Producer) {}

  static async connect(brokers = testBrokers()): Promise<TestProducer> {
    const kafka = new Kafka({ clientId: 'projections-test', brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    return new TestProducer(producer);
  }

  /** Send envelopes; returns the event ids. */
  async sendEvents(
    topic: string,
    type: string,
    events: Array<{ key: string; payload: Record<string, unknown>; eventId?: string; version?: number; traceparent?: string; partition?: number }>,
  ): Promise<string[]> {
    const messages = events.map((e) => ({
      ...encodeEnvelope({
        eventId: e.eventId ?? randomUUID(),
        type,
        version: e.version ?? 1,
        key: e.key,
        occurredAt: new Date().toISOString(),
        source: 'projections-test',
        contentType: 'application/json',
        headers: {},
        traceparent: e.traceparent,
        payload: e.payload,
      }),
      // Where the key would not land the event on the partition a test needs.
      ...(e.partition === undefined ? {} : { partition: e.partition }),
    }));
    for (let i = 0; i < messages.length; i += 2000) await this.producer.send({ topic, messages: messages.slice(i, i + 2000) });
    return messages.map((m) => String((m.headers as Record<string, string>)['tributary-event-id']));
  }

  async sendRaw(topic: string, messages: Message[]): Promise<void> {
    await this.producer.send({ topic, messages });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** Counter events for `counters` keys, `perCounter` each, seq 1..n per key. */
export function counterEvents(counters: number, perCounter: number, amount = 1) {
  const out: Array<{ key: string; payload: Record<string, unknown> }> = [];
  for (let seq = 1; seq <= perCounter; seq++) {
    for (let c = 0; c < counters; c++) out.push({ key: `c${c}`, payload: { counterId: `c${c}`, amount, seq } });
  }
  return out;
}

/** Boot a Nest app context with Kafka + projections and the given projection providers. */
export async function startProjectionsApp(options: {
  dataSource: DataSource;
  providers: Provider[];
  projections?: Partial<ProjectionsModuleOptions>;
  serviceName?: string;
  brokers?: string[];
  /** Configure through `forRootAsync`, the DataSource injected from a provider under a custom token. */
  useAsync?: boolean;
  /** More `KafkaModule.forRoot` options (e.g. `metrics: { registry }`, `slowOperationThresholdMs`). */
  kafka?: Partial<KafkaModuleOptions>;
}): Promise<INestApplicationContext> {
  const projectionOptions: ProjectionsModuleOptions = {
    consumer: { sessionTimeout: 6000, heartbeatInterval: 500 },
    progressIntervalMs: 100,
    ...options.projections,
  };
  const DATA_SOURCE = Symbol('test-data-source');
  const projections = options.useAsync
    ? ProjectionsModule.forRootAsync({
        dataSourceToken: DATA_SOURCE,
        useFactory: () => projectionOptions,
      })
    : ProjectionsModule.forRoot({ ...projectionOptions, dataSource: options.dataSource });
  const moduleRef = await Test.createTestingModule({
    imports: [
      KafkaModule.forRoot({
        brokers: options.brokers ?? testBrokers(),
        serviceName: options.serviceName ?? 'projections-test',
        logLevel: 'error',
        ...options.kafka,
      }),
      projections,
    ],
    providers: [...options.providers, { provide: DATA_SOURCE, useValue: options.dataSource }],
  }).compile();
  return moduleRef.init();
}

/** Create topics with the shared admin of a throwaway client. */
export async function createTopics(topics: Array<{ topic: string; numPartitions?: number }>, brokers = testBrokers()): Promise<void> {
  const kafka = new Kafka({ clientId: 'projections-test-admin', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.numPartitions ?? 1 })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

