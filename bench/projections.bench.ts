/*
 * Projections benchmark: events/s applied into a PostgreSQL read model with the exactly-once
 * bookkeeping (inbox + checkpoint in the batch's transaction), against two raw kafkajs consumers
 * reading the same topic in the same run: `raw` does nothing per message, `rawJsonParse` does
 * `JSON.parse` of each value (the least any consumer does; the headline `ratio` is against it).
 * The @OnBatch projection and the JSON.parse consumer alternate (J P J P J ..., BENCH_ROUNDS
 * projection rounds, 3 quick / 1 full, each projection round a fresh one); the figures are the
 * medians of their rounds, `cpuPerEventRatio` the same from CPU time per event. Then the time and peak
 * RSS to rebuild the read model from all events. The events carry what the outbox relay sends
 * (event id from the outbox's generator, type, version, occurred-at, source, content type, traceparent).
 * `projection` uses an `@OnBatch` handler (one multi-row upsert per run of events);
 * `projectionPerEvent` the plain `@On` handler (one upsert per event) on the first 50,000 events.
 * `observability`: the `@OnBatch` measurement again in fresh apps with metrics and tracing OFF, ON,
 * OFF, ON (bench/support/observability-toggle.ts), medians per mode.
 *
 *   npm run bench:projections             # 1,000,000 events
 *   BENCH_QUICK=1 npm run bench:projections   # 50,000 events
 *   BENCH_CPU_PROFILE=/tmp/p.cpuprofile ...    # profile the @OnBatch and @On phases (`<file>`, `<file>.on`) and the bare-pg
 *                                              # per-event consumer (`<file>.same-on`, the @On phase's baseline); summary in the JSON
 *
 * KAFKA_BROKERS (default 127.0.0.1:9092), DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 * The last stdout line is one JSON object.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createTraceparent, encodeEnvelope, IntegrationEvent, KafkaModule, newEventId, type TributaryMetricsOptions } from '@tributary/kafka';
import {
  On,
  OnBatch,
  Projection,
  ProjectionsModule,
  ProjectionsService,
  type ProjectionBatchItem,
  type ProjectionContext,
} from '@tributary/projections';
import { IsInt, IsString } from 'class-validator';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Pool } from 'pg';
import { randomBytes } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { Registry } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import { BenchRun, median } from './support/bench-run';
import { profiled } from './support/cpu-profile';
import { compareObservability, metricsOptions } from './support/observability-toggle';

const QUICK = process.env.BENCH_QUICK === '1';
const EVENTS = Number(process.env.BENCH_EVENTS ?? (QUICK ? 50_000 : 1_000_000));
const PARTITIONS = 4;
const KEYS = 1000;
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const TOPIC = `bench-projections-${suffix}`;
const TYPE = `bench.counter-incremented-${suffix}`;
const READ_MODEL = `bench_counters_${suffix}`;
const PER_EVENT_MODEL = `bench_counters_each_${suffix}`;
/** The per-event handler is measured on at most this many events (it is the slow path). */
const PER_EVENT_EVENTS = Math.min(EVENTS, Number(process.env.BENCH_PER_EVENT_EVENTS ?? 50_000));
/** @OnBatch / JSON.parse rounds, interleaved; the headline is the ratio of their medians. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? (QUICK ? 3 : 1)));
const INBOX = `bench_inbox_${suffix}`;
const CHECKPOINTS = `bench_checkpoints_${suffix}`;

const log = (message: string) => process.stderr.write(`[bench:projections] ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

@IntegrationEvent({ type: TYPE, topic: TOPIC, key: 'counterId' })
class CounterIncremented {
  @IsString() counterId!: string;
  @IsInt() amount!: number;
}

const upsert = (table: string) =>
  `INSERT INTO ${table} (counter_id, total, events) SELECT c, t, n FROM unnest($1::varchar[], $2::bigint[], $3::integer[]) AS x(c, t, n)
   ON CONFLICT (counter_id) DO UPDATE SET total = ${table}.total + EXCLUDED.total, events = ${table}.events + EXCLUDED.events`;

/** The high-volume way: `@OnBatch` folds a run of events into one multi-row upsert (a projection `name` into `table`). */
function counterTotalsProjection(name: string, table: string) {
  @Projection({ name, tables: [table] })
  class CounterTotals {
    @OnBatch(CounterIncremented)
    async incremented(items: Array<ProjectionBatchItem<CounterIncremented>>, manager: EntityManager): Promise<void> {
      const totals = new Map<string, { total: number; events: number }>();
      for (const { event } of items) {
        const t = totals.get(event.counterId) ?? { total: 0, events: 0 };
        t.total += event.amount;
        t.events += 1;
        totals.set(event.counterId, t);
      }
      const ids = [...totals.keys()];
      await manager.query(upsert(table), [ids, ids.map((id) => totals.get(id)!.total), ids.map((id) => totals.get(id)!.events)]);
    }
  }
  return CounterTotals;
}
const CounterTotals = counterTotalsProjection(`bench-batch-${suffix}`, READ_MODEL);
/** The same projection under another name, run once over the whole topic before any measurement (JIT warm-up). */
const WARM_UP_MODEL = `bench_counters_warmup_${suffix}`;
const CounterTotalsWarmUp = counterTotalsProjection(`bench-warmup-${suffix}`, WARM_UP_MODEL);

/** The plain way: `@On`, one upsert per event. */
@Projection({ name: `bench-each-${suffix}`, tables: [PER_EVENT_MODEL] })
class CounterTotalsPerEvent {
  @On(CounterIncremented)
  async incremented(event: CounterIncremented, { manager }: ProjectionContext): Promise<void> {
    await manager.query(upsert(PER_EVENT_MODEL), [[event.counterId], [event.amount], [1]]);
  }
}

type PhaseFigures = { eventsPerSecond: number; seconds: number; events: number; cpuMicrosPerEvent: number };

/** The bench's ProjectionsModule options, with the projection's inbox and checkpoint tables. */
const projectionsOptions = (dataSource: DataSource, inbox: string, checkpoints: string) => ({
  dataSource,
  autoStart: false,
  tables: { inbox, checkpoints },
  consumer: { partitionsConsumedConcurrently: PARTITIONS, ...(process.env.BENCH_MAX_BYTES ? { maxBytesPerPartition: Number(process.env.BENCH_MAX_BYTES) } : {}) },
  progressIntervalMs: 250,
});

/** Start a projection, wait until it applied `count` events, return the rate since its first batch arrived. */
async function measure(service: ProjectionsService, name: string, count: number): Promise<PhaseFigures> {
  // CPU time of this process per event: steadier than the wall clock on a shared machine.
  const cpuBefore = process.cpuUsage();
  await service.start(name);
  while (service.applied(name) < count) await sleep(5);
  const done = Date.now();
  const cpu = process.cpuUsage(cpuBefore);
  // Timed from the first fetched batch, like the raw consumer (joining the group is not throughput).
  const since = Date.parse((await service.status(name)).consumingSince!);
  const seconds = (done - since) / 1000;
  return {
    eventsPerSecond: Math.round(count / seconds),
    seconds: Number(seconds.toFixed(2)),
    events: count,
    cpuMicrosPerEvent: Number(((cpu.user + cpu.system) / count).toFixed(1)),
  };
}

const createReadModel = (dataSource: DataSource, table: string) =>
  dataSource.query(`CREATE TABLE ${table} (counter_id varchar(100) PRIMARY KEY, total bigint NOT NULL, events integer NOT NULL)`);

/**
 * The @OnBatch measurement in a fresh app (`metrics` as given) with a fresh projection `label`
 * (own read model, inbox and checkpoint tables) reading the same EVENTS from the start of the topic.
 */
async function freshOnBatchRound(dataSource: DataSource, label: string, metrics: TributaryMetricsOptions): Promise<PhaseFigures> {
  const name = `bench-${label}-${suffix}`;
  const tables = [`bench_counters_${label}_${suffix}`, `bench_inbox_${label}_${suffix}`, `bench_checkpoints_${label}_${suffix}`];
  await createReadModel(dataSource, tables[0]);
  const app = await Test.createTestingModule({
    imports: [
      KafkaModule.forRoot({ brokers: BROKERS, serviceName: 'bench', logLevel: 'nothing', metrics }),
      ProjectionsModule.forRoot(projectionsOptions(dataSource, tables[1], tables[2])),
    ],
    providers: [counterTotalsProjection(name, tables[0])],
  })
    .compile()
    .then((m) => m.init());
  try {
    const figures = await measure(app.get(ProjectionsService), name, EVENTS);
    if ((await readModelEvents(dataSource, tables[0])) !== EVENTS) throw new Error(`round ${label}: the read model does not hold every event`);
    return figures;
  } finally {
    await app.close();
    for (const table of tables) await dataSource.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
  }
}

/** The @OnBatch measurement again with metrics and tracing OFF and ON, interleaved, each round a fresh app and projection. */
async function observabilityCost(dataSource: DataSource) {
  return compareObservability(async (mode, index) => {
    const { eventsPerSecond } = await freshOnBatchRound(dataSource, `obs${index}`, metricsOptions(mode));
    log(`observability ${mode.toUpperCase()}: projection @OnBatch ${eventsPerSecond} events/s`);
    return eventsPerSecond;
  });
}

async function readModelEvents(dataSource: DataSource, table: string): Promise<number> {
  const [{ events }] = (await dataSource.query(`SELECT coalesce(sum(events), 0)::bigint AS events FROM ${table}`)) as Array<{ events: string }>;
  return Number(events);
}

async function produce(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = Date.now();
  const occurredAt = new Date().toISOString();
  for (let i = 0; i < EVENTS; i += 5000) {
    const messages = [];
    for (let j = i; j < Math.min(EVENTS, i + 5000); j++) {
      const counterId = `c${j % KEYS}`;
      messages.push(
        encodeEnvelope({
          eventId: newEventId(),
          type: TYPE,
          version: 1,
          key: counterId,
          occurredAt,
          source: 'bench',
          contentType: 'application/json',
          traceparent: createTraceparent(),
          headers: {},
          payload: { counterId, amount: 1 },
        }),
      );
    }
    await producer.send({ topic: TOPIC, messages });
  }
  await producer.disconnect();
  log(`produced ${EVENTS} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * A baseline: a plain kafkajs consumer in its own group reading the whole topic; `perMessage` runs
 * on each message (nothing for `raw`, `JSON.parse` of the value for `rawJsonParse`).
 */
async function rawConsumer(kafka: Kafka, label: string, perMessage?: (value: Buffer) => unknown): Promise<{ eventsPerSecond: number; seconds: number; cpuMicrosPerEvent: number }> {
  const consumer = kafka.consumer({ groupId: `bench-${label}-${randomBytes(3).toString('hex')}-${suffix}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let count = 0;
  let first = 0;
  let cpu = process.cpuUsage();
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch }) => {
      if (first === 0) {
        first = Date.now();
        cpu = process.cpuUsage();
      }
      if (perMessage) for (const message of batch.messages) perMessage(message.value!);
      count += batch.messages.length;
      if (count >= EVENTS) done();
    },
  });
  await finished;
  const seconds = (Date.now() - first) / 1000;
  const used = process.cpuUsage(cpu);
  await consumer.disconnect();
  log(`${label}: ${Math.round(EVENTS / seconds)} events/s`);
  return { eventsPerSecond: Math.round(EVENTS / seconds), seconds: Number(seconds.toFixed(2)), cpuMicrosPerEvent: Number(((used.user + used.system) / EVENTS).toFixed(1)) };
}

const parseValue = (value: Buffer) => JSON.parse(value.toString('utf8')) as unknown;

/**
 * The same database work without Tributary: a plain kafkajs consumer (JSON.parse of each value)
 * that writes each fetched batch into `table` in one transaction with a bare `pg` client, either
 * one upsert per event (`per-event`, what `@On` does) or one multi-row upsert per batch (`batch`,
 * what the `@OnBatch` handler does) — no inbox, no checkpoint, no validation. What is left
 * between a projection and this is the exactly-once bookkeeping and the framework.
 */
async function rawWithUpserts(kafka: Kafka, label: string, table: string, mode: 'per-event' | 'batch', count: number) {
  const pool = new Pool({ connectionString: DATABASE_URL, max: PARTITIONS });
  const consumer = kafka.consumer({ groupId: `bench-${label}-${randomBytes(3).toString('hex')}-${suffix}`, maxWaitTimeInMs: 100 });
  let applied = 0;
  let first = 0;
  let cpu = process.cpuUsage();
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: async ({ batch }) => {
        if (applied >= count) return;
        if (first === 0) {
          first = Date.now();
          cpu = process.cpuUsage();
        }
        const events = batch.messages.slice(0, count - applied).map((m) => JSON.parse(m.value!.toString('utf8')) as { counterId: string; amount: number });
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          if (mode === 'per-event') {
            for (const e of events) await client.query(upsert(table), [[e.counterId], [e.amount], [1]]);
          } else {
            const totals = new Map<string, { total: number; events: number }>();
            for (const e of events) {
              const t = totals.get(e.counterId) ?? { total: 0, events: 0 };
              t.total += e.amount;
              t.events += 1;
              totals.set(e.counterId, t);
            }
            const ids = [...totals.keys()];
            await client.query(upsert(table), [ids, ids.map((id) => totals.get(id)!.total), ids.map((id) => totals.get(id)!.events)]);
          }
          await client.query('COMMIT');
        } finally {
          client.release();
        }
        applied += events.length;
        if (applied >= count) done();
      },
    });
    await finished;
    const seconds = (Date.now() - first) / 1000;
    const used = process.cpuUsage(cpu);
    log(`${label}: ${Math.round(count / seconds)} events/s`);
    return { eventsPerSecond: Math.round(count / seconds), seconds: Number(seconds.toFixed(2)), cpuMicrosPerEvent: Number(((used.user + used.system) / count).toFixed(1)) };
  } finally {
    await consumer.disconnect();
    await pool.end();
  }
}

/** Sample this process's RSS every 100 ms while `work` runs; returns its result and the peak in MB. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  try {
    const result = await work();
    return { result, peakRssMb: Math.round((Math.max(peak, process.memoryUsage().rss) / 1024 / 1024) * 10) / 10 };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const run = new BenchRun('projections');
  const kafka = new Kafka({ clientId: 'bench-projections', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const dataSource = await new DataSource({ type: 'postgres', url: DATABASE_URL, poolSize: PARTITIONS + 2 }).initialize();
  for (const table of [READ_MODEL, PER_EVENT_MODEL, WARM_UP_MODEL]) await createReadModel(dataSource, table);
  const app = await Test.createTestingModule({
    imports: [
      KafkaModule.forRoot({ brokers: BROKERS, serviceName: 'bench', logLevel: 'nothing' }),
      ProjectionsModule.forRoot(projectionsOptions(dataSource, INBOX, CHECKPOINTS)),
    ],
    providers: [CounterTotals, CounterTotalsWarmUp, CounterTotalsPerEvent],
  })
    .compile()
    .then((m) => m.init());
  try {
    await produce(kafka);

    // Every code path compiled before the first measurement: the raw consumers and one projection over the whole topic.
    await rawConsumer(kafka, 'warm-up raw-json-parse', parseValue);
    log('warm-up projection...');
    const warmUp = await measure(app.get(ProjectionsService), `bench-warmup-${suffix}`, EVENTS);
    await app.get(ProjectionsService).stop(`bench-warmup-${suffix}`);
    log(`warm-up projection: ${warmUp.eventsPerSecond} events/s (not reported)`);
    const raw = await rawConsumer(kafka, 'raw');
    const jsonBefore = await rawConsumer(kafka, 'raw-json-parse-before', parseValue);

    const service = app.get(ProjectionsService);
    const name = `bench-batch-${suffix}`;
    log('projection with @OnBatch (incremental)...');
    const profileFile = process.env.BENCH_CPU_PROFILE;
    const { result: projection, profile } = await profiled(profileFile, () => measure(service, name, EVENTS));
    if ((await readModelEvents(dataSource, READ_MODEL)) !== EVENTS) throw new Error('the @OnBatch read model does not hold every event');
    log(`projection @OnBatch: ${projection.eventsPerSecond} events/s`);
    const jsonAfter = await rawConsumer(kafka, 'raw-json-parse-after', parseValue);
    // Further rounds, each a fresh @OnBatch projection then a JSON.parse consumer (J P J P J ...):
    // on a shared machine one ~1 s phase swings by ±15 %, medians of interleaved rounds much less.
    const projectionRounds = [projection];
    const jsonRounds = [jsonBefore, jsonAfter];
    for (let round = 2; round <= ROUNDS; round++) {
      const fresh = await freshOnBatchRound(dataSource, `round${round}`, { registry: new Registry() });
      log(`projection @OnBatch round ${round}: ${fresh.eventsPerSecond} events/s`);
      projectionRounds.push(fresh);
      jsonRounds.push(await rawConsumer(kafka, `raw-json-parse-${round}`, parseValue));
    }
    const medianOf = (rounds: Array<{ eventsPerSecond: number; cpuMicrosPerEvent: number }>) => ({
      eventsPerSecond: Math.round(median(rounds.map((r) => r.eventsPerSecond))),
      cpuMicrosPerEvent: Number(median(rounds.map((r) => r.cpuMicrosPerEvent)).toFixed(1)),
      rounds: rounds.map(({ eventsPerSecond, cpuMicrosPerEvent }) => ({ eventsPerSecond, cpuMicrosPerEvent })),
    });
    const batchFigures = { ...medianOf(projectionRounds), events: EVENTS };
    const rawJsonParse = medianOf(jsonRounds);

    log(`projection with @On, one upsert per event (first ${PER_EVENT_EVENTS} events)...`);
    const { result: perEvent, profile: profilePerEvent } = await profiled(profileFile && `${profileFile}.on`, () =>
      measure(service, `bench-each-${suffix}`, PER_EVENT_EVENTS),
    );
    await service.stop(`bench-each-${suffix}`);
    if ((await readModelEvents(dataSource, PER_EVENT_MODEL)) < PER_EVENT_EVENTS) throw new Error('the @On read model misses events');
    log(`projection @On: ${perEvent.eventsPerSecond} events/s`);
    const SAME_WORK_MODEL = `bench_counters_same_${suffix}`;
    await createReadModel(dataSource, SAME_WORK_MODEL);
    const { result: sameWorkPerEvent, profile: profileSameWorkPerEvent } = await profiled(profileFile && `${profileFile}.same-on`, () =>
      rawWithUpserts(kafka, 'raw-pg-per-event', SAME_WORK_MODEL, 'per-event', PER_EVENT_EVENTS),
    );
    const sameWorkBatch = await rawWithUpserts(kafka, 'raw-pg-batch', SAME_WORK_MODEL, 'batch', EVENTS);
    await dataSource.query(`DROP TABLE IF EXISTS ${SAME_WORK_MODEL}`);

    log('rebuild...');
    const rebuildStarted = Date.now();
    const { result: last, peakRssMb: rebuildPeakRssMb } = await withPeakRss(async () => lastValueFrom(await service.rebuild(name)));
    const rebuildSeconds = (Date.now() - rebuildStarted) / 1000;
    const rebuilt = await readModelEvents(dataSource, READ_MODEL);
    if (rebuilt !== EVENTS) throw new Error(`rebuilt read model holds ${rebuilt} events, expected ${EVENTS}`);
    log(`rebuild: ${EVENTS} events in ${rebuildSeconds.toFixed(1)} s (${last.eventsPerSecond} events/s)`);

    await service.stop(name);
    const observability = await observabilityCost(dataSource);
    log(`observability: OFF ${observability.offEventsPerSecond} events/s, ON ${observability.onEventsPerSecond} events/s, overhead ${observability.overheadRatio}`);

    const result = {
      benchmark: 'projections',
      quick: QUICK,
      events: EVENTS,
      partitions: PARTITIONS,
      projection: { ...batchFigures, handler: '@OnBatch (one multi-row upsert per run)' },
      projectionPerEvent: { ...perEvent, handler: '@On (one upsert per event)' },
      raw,
      rawJsonParse,
      ratio: run.ratio(run.measured(batchFigures.eventsPerSecond), run.measured(rawJsonParse.eventsPerSecond)),
      cpuPerEventRatio: run.ratio(run.measured(rawJsonParse.cpuMicrosPerEvent), run.measured(batchFigures.cpuMicrosPerEvent)),
      ratioPerEvent: run.ratio(run.measured(perEvent.eventsPerSecond), run.measured(rawJsonParse.eventsPerSecond)),
      sameWork: {
        note: 'a raw kafkajs consumer + JSON.parse writing each batch with a bare pg client in one transaction: no inbox, checkpoint or validation',
        batch: sameWorkBatch,
        perEvent: sameWorkPerEvent,
        ratio: run.ratio(run.measured(batchFigures.eventsPerSecond), run.measured(sameWorkBatch.eventsPerSecond)),
        ratioPerEvent: run.ratio(run.measured(perEvent.eventsPerSecond), run.measured(sameWorkPerEvent.eventsPerSecond)),
      },
      ratioAgainstRaw: run.ratio(run.measured(batchFigures.eventsPerSecond), run.measured(raw.eventsPerSecond)),
      ratioPerEventAgainstRaw: run.ratio(run.measured(perEvent.eventsPerSecond), run.measured(raw.eventsPerSecond)),
      target: { ratio: 0.5, ratioPerEvent: 0.2 },
      rebuild: { events: EVENTS, seconds: Number(rebuildSeconds.toFixed(2)), eventsPerSecond: Math.round(EVENTS / rebuildSeconds), peakRssMb: rebuildPeakRssMb },
      observability,
      machine: run.machine(),
      ...(profile ? { profile: { onBatch: profile, perEvent: profilePerEvent, sameWorkPerEvent: profileSameWorkPerEvent } } : {}),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await app.close();
    for (const table of [READ_MODEL, PER_EVENT_MODEL, WARM_UP_MODEL, INBOX, CHECKPOINTS]) await dataSource.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await dataSource.destroy();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [TOPIC, `${TOPIC}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
