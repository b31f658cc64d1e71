/*
 * Outbox relay benchmark (npm run bench:outbox; BENCH_QUICK=1 for the short version).
 *
 * In one run, against the same broker and with the same messages and batch size:
 *  1. throughput: the relay drains a backlog of committed outbox rows (PostgreSQL), first to last
 *     Kafka ack, sampling the process RSS to show memory stays flat;
 *  2. raw ceiling: a kafkajs idempotent producer (KafkaClient.createProducer, the relay's own
 *     settings) sends as many messages of the same shape with sendBatch(batchSize), `concurrency`
 *     calls at once; half right before the drain and half right after, averaged;
 *  3. latency: a load generator process (bench/outbox-load.ts) commits one event per transaction
 *     at a fixed 1,000 events/s while the relay runs here with LISTEN/NOTIFY; latency = Kafka ack
 *     time − time the commit returned (wall clocks of the same machine);
 *  4. observability cost: phase 1 again in fresh apps with metrics and tracing OFF, ON, OFF, ON
 *     (bench/support/observability-toggle.ts), medians per mode in `observability`.
 * The relay runs in this process, so the RSS figures include the bench's own (small) state.
 * Env: KAFKA_BROKERS (127.0.0.1:9092), DATABASE_URL (postgres://postgres@127.0.0.1:5432/test);
 * for experiments BENCH_LATENCY_SECONDS (5 quick / 20) and BENCH_LANES_PER_BATCH (16).
 * The last stdout line is one JSON object.
 */
import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { createTraceparent, encodeEnvelope, KafkaClient, KafkaModule, type TributaryMetricsOptions } from '@tributary/kafka';
import { OutboxModule, OutboxPublisher, OutboxRelay, type OutboxShippedBatch } from '@tributary/outbox';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_KEYS, defineBenchEvent, epochMs } from './outbox-events';
import { compareObservability, metricsOptions } from './support/observability-toggle';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import type { DataSource } from 'typeorm';

const QUICK = process.env.BENCH_QUICK === '1';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BACKLOG = QUICK ? 50_000 : 1_000_000;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? (QUICK ? 5 : 20));
const LATENCY_RATE = 1000;
const BATCH_SIZE = 500;
const CONCURRENCY = 4;
const KEYS = BENCH_KEYS;
const PARTITIONS = 6;

const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const TOPIC = `bench-outbox-${suffix}`;
const RAW_TOPIC = `bench-outbox-raw-${suffix}`;
const TABLE = `bench_outbox_${suffix}`;

const { eventClass: BenchOrderPlaced, eventAt } = defineBenchEvent(TOPIC);
const log = (text: string) => process.stderr.write(`[bench:outbox] ${text}\n`);
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)] * 100) / 100;
}

/** The message the relay would send for event i: same envelope, same size. */
function rawMessage(i: number, source: string): Message {
  const event = eventAt(i);
  return encodeEnvelope({
    eventId: randomUUID(),
    type: 'bench.order-placed',
    version: 1,
    key: event.orderId,
    occurredAt: new Date().toISOString(),
    source,
    contentType: 'application/json',
    traceparent: createTraceparent(),
    headers: {},
    payload: { ...event },
  });
}

/** CPU time of this process per 1,000 events since `since` (less sensitive to a busy machine than rates). */
function cpuPer1000(since: NodeJS.CpuUsage, events: number): number {
  const used = process.cpuUsage(since);
  return Math.round(((used.user + used.system) / 1000 / events) * 1000 * 10) / 10;
}

async function rawCeiling(kafka: KafkaClient, count: number): Promise<{ eventsPerSecond: number; seconds: number; cpuMsPer1000: number }> {
  const producer = await kafka.createProducer();
  try {
    await producer.sendBatch({ topicMessages: [{ topic: RAW_TOPIC, messages: [rawMessage(0, kafka.serviceName)] }], acks: -1 });
    let next = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const worker = async () => {
      while (next < count) {
        const from = next;
        next = Math.min(count, next + BATCH_SIZE);
        const messages: Message[] = [];
        for (let i = from; i < next; i++) messages.push(rawMessage(i, kafka.serviceName));
        await producer.sendBatch({ topicMessages: [{ topic: RAW_TOPIC, messages }], acks: -1 });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    return { eventsPerSecond: Math.round(count / seconds), seconds: Math.round(seconds * 100) / 100, cpuMsPer1000: cpuPer1000(cpu, count) };
  } finally {
    await kafka.closeProducer(producer);
  }
}

async function fillBacklog(dataSource: DataSource, publisher: OutboxPublisher): Promise<void> {
  const perTransaction = 1000;
  const started = performance.now();
  for (let from = 0; from < BACKLOG; from += perTransaction) {
    const events = Array.from({ length: Math.min(perTransaction, BACKLOG - from) }, (_, k) => eventAt(from + k));
    await dataSource.transaction((m) => publisher.publish(m, events));
    if ((from / perTransaction) % 100 === 99) log(`backlog ${from + perTransaction}/${BACKLOG}`);
  }
  log(`backlog of ${BACKLOG} rows committed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function drain(relay: OutboxRelay) {
  let shipped = 0;
  let lastAck = 0;
  let firstAck = 0;
  let firstBatch = 0;
  const subscription = relay.shipped$.subscribe((b) => {
    shipped += b.rowIds.length;
    lastAck = performance.now();
    if (firstAck === 0) {
      firstAck = lastAck;
      firstBatch = b.rowIds.length;
    }
  });
  const rss: number[] = [];
  let peak = process.memoryUsage().rss;
  const rssStart = peak;
  const sampler = setInterval(() => {
    const now = process.memoryUsage().rss;
    peak = Math.max(peak, now);
    rss.push(now);
  }, 100);
  const cpu = process.cpuUsage();
  const started = performance.now();
  relay.start();
  while (shipped < BACKLOG) await sleep(20);
  clearInterval(sampler);
  subscription.unsubscribe();
  // Like the raw run (timed after its warm-up send), the rate runs from the first ack to the last;
  // the start-up (first poll, producer connect) is reported apart.
  const seconds = (lastAck - firstAck) / 1000;
  const withStartup = (lastAck - started) / 1000;
  const quarter = (q: number) => mb(rss[Math.min(rss.length - 1, Math.floor((rss.length * q) / 4))] ?? peak);
  return {
    eventsPerSecond: Math.round((BACKLOG - firstBatch) / seconds),
    eventsPerSecondIncludingStartup: Math.round(BACKLOG / withStartup),
    cpuMsPer1000: cpuPer1000(cpu, BACKLOG),
    seconds: Math.round(withStartup * 100) / 100,
    shipped,
    peakRssMb: mb(peak),
    rssStartMb: mb(rssStart),
    rssQuartilesMb: [quarter(1), quarter(2), quarter(3), quarter(4)],
  };
}

/** Commit-to-ack latency: a load generator process commits at LATENCY_RATE/s while this relay ships. */
async function latency(relay: OutboxRelay) {
  const ackedAt = new Map<string, number>();
  const subscription = relay.shipped$.subscribe((b: OutboxShippedBatch) => {
    const now = epochMs();
    for (const id of b.eventIds) ackedAt.set(id, now);
  });
  const root = join(__dirname, '..');
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, 'outbox-load.ts')],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        TS_NODE_PROJECT: join(root, 'tsconfig.json'),
        KAFKA_BROKERS: BROKERS.join(','),
        DATABASE_URL,
        OUTBOX_TABLE: TABLE,
        OUTBOX_TOPIC: TOPIC,
        OUTBOX_RATE: String(LATENCY_RATE),
        OUTBOX_SECONDS: String(LATENCY_SECONDS),
        OUTBOX_FIRST_SEQ: String(BACKLOG),
      },
    },
  );
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`load generator failed (exit ${code})`);
  const load = JSON.parse(line.slice('RESULT '.length)) as { committed: Array<[string, number]>; achievedRate: number; backpressure: number };
  const deadline = Date.now() + 30_000;
  while (load.committed.some(([id]) => !ackedAt.has(id)) && Date.now() < deadline) await sleep(20);
  subscription.unsubscribe();
  const latencies = load.committed.map(([id, at]) => Math.max(0, (ackedAt.get(id) ?? Infinity) - at)).sort((a, b) => a - b);
  return {
    events: load.committed.length,
    achievedRate: load.achievedRate,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    publisherBackpressureTicks: load.backpressure,
  };
}

/** The bench app on outbox table `table`, its relay not started; `metrics` as KafkaModule's option. */
async function createBenchApp(table: string, metrics?: TributaryMetricsOptions): Promise<INestApplicationContext> {
  @Module({
    imports: [
      KafkaModule.forRoot({ brokers: BROKERS, serviceName: 'bench-outbox', logLevel: 'error', metrics }),
      TypeOrmModule.forRoot({ type: 'postgres', url: DATABASE_URL, poolSize: 24 }),
      OutboxModule.forRoot({
        tableName: table,
        ensureSchema: true,
        events: [BenchOrderPlaced],
        // Started by the drain phase, so that the backlog is all committed first.
        relay: { enabled: false, batchSize: BATCH_SIZE, concurrency: CONCURRENCY, lanesPerBatch: Number(process.env.BENCH_LANES_PER_BATCH ?? 16) },
      }),
    ],
  })
  class BenchModule {}
  return NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
}

/**
 * The drain again with metrics and tracing OFF and ON, interleaved: each round is a fresh app with
 * that mode's options on its own outbox table holding the same BACKLOG events.
 */
async function observabilityCost() {
  return compareObservability(async (mode, index) => {
    const table = `${TABLE}_obs${index}`;
    const app = await createBenchApp(table, metricsOptions(mode));
    const dataSource = app.get<DataSource>(getDataSourceToken());
    try {
      await fillBacklog(dataSource, app.get(OutboxPublisher));
      const drained = await drain(app.get(OutboxRelay));
      log(`observability ${mode.toUpperCase()}: relay drained ${BACKLOG} rows at ${drained.eventsPerSecond} events/s`);
      return drained.eventsPerSecond;
    } finally {
      await app.get(OutboxRelay).stop();
      await dataSource.query(`DROP TABLE IF EXISTS "${table}_lanes", "${table}"`).catch(() => undefined);
      await app.close();
    }
  });
}

async function main(): Promise<void> {
  const app = await createBenchApp(TABLE);
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const kafka = app.get(KafkaClient);
  const publisher = app.get(OutboxPublisher);
  const relay = app.get(OutboxRelay);
  try {
    await kafka.admin.ensureTopics([
      { topic: TOPIC, numPartitions: PARTITIONS },
      { topic: RAW_TOPIC, numPartitions: PARTITIONS },
    ]);
    // The raw ceiling is measured right before and right after the drain (half the messages each)
    // and averaged, so that load changes on a shared machine hit both sides alike.
    await fillBacklog(dataSource, publisher);
    log(`raw kafkajs ceiling: ${BACKLOG} messages, batch ${BATCH_SIZE}, ${CONCURRENCY} sends in flight`);
    const rawBefore = await rawCeiling(kafka, BACKLOG / 2);
    const drained = await drain(relay);
    log(`relay drained ${BACKLOG} rows: ${drained.eventsPerSecond} events/s, ${drained.cpuMsPer1000} CPU ms/1000, peak RSS ${drained.peakRssMb} MB`);
    const rawAfter = await rawCeiling(kafka, BACKLOG / 2);
    const raw = {
      eventsPerSecond: Math.round((rawBefore.eventsPerSecond + rawAfter.eventsPerSecond) / 2),
      before: rawBefore.eventsPerSecond,
      after: rawAfter.eventsPerSecond,
      cpuMsPer1000: Math.round(((rawBefore.cpuMsPer1000 + rawAfter.cpuMsPer1000) / 2) * 10) / 10,
    };
    log(`raw: ${raw.eventsPerSecond} msg/s (before ${raw.before}, after ${raw.after}), ${raw.cpuMsPer1000} CPU ms/1000`);
    const lat = await latency(relay);
    log(`latency at ${LATENCY_RATE}/s: p50 ${lat.p50Ms} ms, p99 ${lat.p99Ms} ms`);
    await relay.stop();
    const observability = await observabilityCost();
    log(`observability: OFF ${observability.offEventsPerSecond} events/s, ON ${observability.onEventsPerSecond} events/s, overhead ${observability.overheadRatio}`);
    const result = {
      bench: 'outbox',
      quick: QUICK,
      database: 'postgres',
      config: { backlog: BACKLOG, batchSize: BATCH_SIZE, concurrency: CONCURRENCY, partitions: PARTITIONS, keys: KEYS, lanes: 64 },
      relay: {
        eventsPerSecond: drained.eventsPerSecond,
        p50Ms: lat.p50Ms,
        p99Ms: lat.p99Ms,
        peakRssMb: drained.peakRssMb,
        eventsPerSecondIncludingStartup: drained.eventsPerSecondIncludingStartup,
        cpuMsPer1000: drained.cpuMsPer1000,
        drainSeconds: drained.seconds,
        rssStartMb: drained.rssStartMb,
        rssQuartilesMb: drained.rssQuartilesMb,
        latency: lat,
      },
      raw,
      relayToRaw: Math.round((drained.eventsPerSecond / raw.eventsPerSecond) * 100) / 100,
      observability,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await app.get(OutboxRelay).stop();
    await dataSource.query(`DROP TABLE IF EXISTS "${TABLE}_lanes", "${TABLE}"`).catch(() => undefined);
    const admin = await kafka.admin.client().catch(() => undefined);
    await admin?.deleteTopics({ topics: [TOPIC, RAW_TOPIC] }).catch(() => undefined);
    await app.close();
  }
}

main().catch((e) => {
  process.stderr.write(`bench:outbox failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
