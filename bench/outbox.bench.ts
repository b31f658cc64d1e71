/*
 * Outbox relay benchmark (npm run bench:outbox; BENCH_QUICK=1 for the short version).
 *
 * In one run, against the same broker and with the same messages and batch size:
 *  1. throughput: the relay drains a backlog of committed outbox rows (PostgreSQL), timed from its
 *     first Kafka send to its last ack (and, apart, from start()), sampling the process RSS;
 *  2. raw ceiling (bench/outbox-raw.ts): a kafkajs producer with the relay's settings sends the
 *     same pre-encoded bytes, read from the outbox table before timing, with sendBatch(batchSize),
 *     `concurrency` calls at once, also timed first send to last ack; a half (BACKLOG / 2) before
 *     and after each of BENCH_ROUNDS drains (3 quick, 1 full; raw, relay, raw, relay, ... raw), and
 *     `relayToRaw` is taken (BenchRun.ratio) between the medians of both sides;
 *  3. latency (bench/outbox-latency.ts): a load generator process commits one event per
 *     transaction at 100, 1,000 and 5,000 events/s offered while the relay runs here with
 *     LISTEN/NOTIFY; after a warm-up at the rate, commit-to-ack p50/p99 per rate with the achieved
 *     rate and where the time went (and p50/p99 with the warm-up included);
 *  4. observability cost: phase 1 again in fresh apps with metrics and tracing OFF, ON, OFF, ON
 *     (bench/support/observability-toggle.ts), medians per mode in `observability`.
 * The relay runs in this process, so the RSS figures include the bench's own (small) state.
 * Env: KAFKA_BROKERS (127.0.0.1:9092), DATABASE_URL (postgres://postgres@127.0.0.1:5432/test);
 * for experiments BENCH_LATENCY_SECONDS (5 quick / 20), BENCH_LATENCY_WARMUP_SECONDS (3 quick / 5),
 * BENCH_LATENCY_RATES (100,1000,5000), BENCH_LATENCY_DUMP=<prefix> (per-event lines in <prefix>-<rate>.jsonl),
 * BENCH_LATENCY_CPU_PROFILE=<prefix> (a CPU profile of this process, the relay's, during each rate: <prefix>-<rate>.cpuprofile),
 * BENCH_PREPARED_STATEMENTS=0 (relay.preparedStatements off), BENCH_LANES_PER_BATCH (16), BENCH_PHASES (throughput,latency,observability[,relays]) and
 * BENCH_CPU_PROFILE=<file.cpuprofile> (a CPU profile of the first drain, summarised in `profile`, and of the raw half after
 * it in `<file>.raw`, summarised in `rawProfile`).
 * `-- --relays 1,2,3`: throughput with 1, 2 and 3 relay processes on one table (see relayScaling).
 * The last stdout line is one JSON object.
 */
import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { KafkaClient, KafkaModule, type TopicSpec, type TributaryMetricsOptions } from '@tributary/kafka';
import { OutboxModule, OutboxPublisher, OutboxRelay } from '@tributary/outbox';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { BENCH_KEYS, defineBenchEvent } from './outbox-events';
import { measureLatency, type LatencyFigures } from './outbox-latency';
import { runBenchProcess } from './outbox-process';
import { cpuMsPer1000, rawCeiling, readEncodedMessages } from './outbox-raw';
import { BenchRun, median } from './support/bench-run';
import { profiled, type ProfileSummary } from './support/cpu-profile';
import { compareObservability, metricsOptions } from './support/observability-toggle';

const QUICK = process.env.BENCH_QUICK === '1';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BACKLOG = QUICK ? 50_000 : 1_000_000;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? (QUICK ? 5 : 20));
/** Seconds the load generator runs at each rate before the measured window (a fresh process warming up). */
const LATENCY_WARMUP_SECONDS = Number(process.env.BENCH_LATENCY_WARMUP_SECONDS ?? (QUICK ? 3 : 5));
const LATENCY_RATES = (process.env.BENCH_LATENCY_RATES ?? '100,1000,5000').split(',').map(Number);
/** The rate whose figures are `relay.p50Ms` / `relay.p99Ms`. */
const HEADLINE_RATE = 1000;
/** `--relays 1,2,3`: the relay-scaling phase with those numbers of relay processes (alone unless BENCH_PHASES says more). */
const RELAYS_ARG = process.argv.indexOf('--relays');
const RELAY_COUNTS = RELAYS_ARG >= 0 ? (process.argv[RELAYS_ARG + 1] ?? '1,2,3').split(',').map(Number) : [];
const PHASES = new Set((process.env.BENCH_PHASES ?? (RELAY_COUNTS.length > 0 ? 'relays' : 'throughput,latency,observability')).split(','));
const BATCH_SIZE = 500;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
/** BENCH_PREPARED_STATEMENTS=0: the relay's claim and mark as plain SQL (`relay.preparedStatements: false`), for A/B runs. */
const PREPARED_STATEMENTS = process.env.BENCH_PREPARED_STATEMENTS !== '0';
/** Relay drains in the throughput phase, each between two raw halves (BENCH_ROUNDS; 3 quick, 1 full). */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? (QUICK ? 3 : 1)));
const KEYS = BENCH_KEYS;
const PARTITIONS = 6;
/** BENCH_REPLICATION=3 for a cluster: topics with that replication factor and min.insync.replicas 2 (sends use acks=all). */
const REPLICATION = Number(process.env.BENCH_REPLICATION ?? -1);
const topicSpec = (topic: string): TopicSpec => ({
  topic,
  numPartitions: PARTITIONS,
  replicationFactor: REPLICATION,
  configEntries: REPLICATION > 1 ? { 'min.insync.replicas': String(Math.min(2, REPLICATION)) } : {},
});

const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const TOPIC = `bench-outbox-${suffix}`;
const RAW_TOPIC = `bench-outbox-raw-${suffix}`;
const TABLE = `bench_outbox_${suffix}`;

const { eventClass: BenchOrderPlaced, eventAt } = defineBenchEvent(TOPIC);
const log = (text: string) => process.stderr.write(`[bench:outbox] ${text}\n`);
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  let firstSend = Number.POSITIVE_INFINITY;
  let lastAck = 0;
  let lastMarked = 0;
  const steps = { claim: [] as number[], send: [] as number[], mark: [] as number[], rows: [] as number[] };
  const subscription = relay.shipped$.subscribe((b) => {
    shipped += b.rowIds.length;
    steps.claim.push(b.timings.claimedAt - b.timings.startedAt);
    steps.send.push(b.timings.ackedAt - b.timings.claimedAt);
    steps.mark.push(b.timings.markedAt - b.timings.ackedAt);
    steps.rows.push(b.rowIds.length);
    firstSend = Math.min(firstSend, b.timings.claimedAt);
    lastAck = Math.max(lastAck, b.timings.ackedAt);
    lastMarked = Math.max(lastMarked, b.timings.markedAt);
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
  const started = performance.timeOrigin + performance.now();
  relay.start();
  while (shipped < BACKLOG) await sleep(20);
  clearInterval(sampler);
  subscription.unsubscribe();
  // Same window as the raw baseline: first send to last ack. From start() (first poll, producer
  // connect) to the last mark is reported apart.
  const seconds = (lastAck - firstSend) / 1000;
  const withStartup = (lastMarked - started) / 1000;
  const quarter = (q: number) => mb(rss[Math.min(rss.length - 1, Math.floor((rss.length * q) / 4))] ?? peak);
  return {
    eventsPerSecond: Math.round(BACKLOG / seconds),
    seconds: Math.round(seconds * 1000) / 1000,
    eventsPerSecondIncludingStartup: Math.round(BACKLOG / withStartup),
    secondsIncludingStartup: Math.round(withStartup * 1000) / 1000,
    cpuMsPer1000: cpuMsPer1000(cpu, BACKLOG),
    shipped,
    batches: steps.rows.length,
    /** Per batch, medians: rows, and ms in claim (lease + read), send (to the ack), mark. */
    batchMedians: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round(median(v) * 10) / 10])),
    peakRssMb: mb(peak),
    rssStartMb: mb(rssStart),
    rssQuartilesMb: [quarter(1), quarter(2), quarter(3), quarter(4)],
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
        relay: {
          enabled: false,
          batchSize: BATCH_SIZE,
          concurrency: CONCURRENCY,
          lanesPerBatch: Number(process.env.BENCH_LANES_PER_BATCH ?? 16),
          preparedStatements: PREPARED_STATEMENTS,
        },
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
      await dataSource.query(`DROP TABLE IF EXISTS "${table}_lanes", "${table}_meta", "${table}"`).catch(() => undefined);
      await app.close();
    }
  });
}

/**
 * Phases 1 and 2, interleaved: raw, relay, raw, relay, ... raw (`ROUNDS` relay drains, each of a
 * fresh backlog of BACKLOG rows in the emptied table, each raw half of BACKLOG / 2 messages of the
 * same pre-encoded bytes), all timed first send to last ack. The headline takes the medians of each
 * side: one ~2 s phase on a shared machine swings by ±20 %, the median of several much less.
 */
async function throughput(run: BenchRun, app: INestApplicationContext) {
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const kafka = app.get(KafkaClient);
  const relay = app.get(OutboxRelay);
  await fillBacklog(dataSource, app.get(OutboxPublisher));
  const messages = await readEncodedMessages(dataSource, TABLE, BACKLOG);
  log(`raw kafkajs ceiling: ${BACKLOG} messages (pre-encoded from the outbox rows), batch ${BATCH_SIZE}, ${CONCURRENCY} sends at once; ${ROUNDS} relay round(s) between raw halves`);
  const sendOptions = { batchSize: BATCH_SIZE, concurrency: CONCURRENCY };
  const rawHalves = [await rawCeiling(kafka, RAW_TOPIC, messages, BACKLOG / 2, sendOptions)];
  const drains: Array<Awaited<ReturnType<typeof drain>>> = [];
  let profile: Awaited<ReturnType<typeof profiled>>['profile'];
  let rawProfile: Awaited<ReturnType<typeof profiled>>['profile'];
  for (let round = 1; round <= ROUNDS; round++) {
    if (round > 1) {
      await dataSource.query(`TRUNCATE "${TABLE}"`);
      await fillBacklog(dataSource, app.get(OutboxPublisher));
    }
    // The profile, when asked for, covers the first drain.
    const profiledDrain = await profiled(round === 1 ? process.env.BENCH_CPU_PROFILE : undefined, () => drain(relay));
    profile ??= profiledDrain.profile;
    const drained = profiledDrain.result;
    await relay.stop();
    drains.push(drained);
    log(`relay round ${round}: drained ${BACKLOG} rows at ${drained.eventsPerSecond} events/s (first send to last ack), ${drained.cpuMsPer1000} CPU ms/1000, peak RSS ${drained.peakRssMb} MB; ${drained.batches} batches, medians ${JSON.stringify(drained.batchMedians)}`);
    // With a profile asked for, the raw half after the first drain is profiled too (`<file>.raw`): the same work's baseline.
    const rawFile = round === 1 && process.env.BENCH_CPU_PROFILE ? `${process.env.BENCH_CPU_PROFILE}.raw` : undefined;
    const profiledRaw = await profiled(rawFile, () => rawCeiling(kafka, RAW_TOPIC, messages, BACKLOG / 2, sendOptions));
    rawProfile ??= profiledRaw.profile;
    rawHalves.push(profiledRaw.result);
  }
  // The round with the median rate stands for the relay (its batch medians and RSS go with it);
  // with an even number of rounds, the slower of the middle two.
  const relayRate = median(drains.map((d) => d.eventsPerSecond));
  const relayCpu = median(drains.map((d) => d.cpuMsPer1000));
  const middle = [...drains].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond)[Math.floor((drains.length - 1) / 2)];
  const drained = {
    ...middle,
    eventsPerSecond: Math.round(relayRate),
    cpuMsPer1000: relayCpu,
    rounds: drains.map((d) => ({ eventsPerSecond: d.eventsPerSecond, cpuMsPer1000: d.cpuMsPer1000 })),
  };
  const raw = {
    eventsPerSecond: Math.round(median(rawHalves.map((r) => r.eventsPerSecond))),
    cpuMsPer1000: Math.round(median(rawHalves.map((r) => r.cpuMsPer1000)) * 10) / 10,
    halves: rawHalves.map((r) => r.eventsPerSecond),
    window: 'first send to last ack',
  };
  log(`relay median ${drained.eventsPerSecond} events/s, ${relayCpu} CPU ms/1000; raw median ${raw.eventsPerSecond} msg/s (halves ${raw.halves.join(', ')}), ${raw.cpuMsPer1000} CPU ms/1000`);
  const relayToRaw = run.ratio(run.measured(relayRate), run.measured(raw.eventsPerSecond));
  const cpuPerEventToRaw = run.ratio(run.measured(relayCpu), run.measured(raw.cpuMsPer1000));
  return { drained, raw, relayToRaw, cpuPerEventToRaw, profile, rawProfile };
}

/** Phase 3: commit-to-ack at each offered rate, the relay running with LISTEN/NOTIFY. */
async function latencies(relay: OutboxRelay): Promise<Array<LatencyFigures & { profile?: ProfileSummary }>> {
  relay.start();
  const figures: Array<LatencyFigures & { profile?: ProfileSummary }> = [];
  let firstSeq = BACKLOG;
  for (const rate of LATENCY_RATES) {
    const settings = { brokers: BROKERS, databaseUrl: DATABASE_URL, table: TABLE, topic: TOPIC, seconds: LATENCY_SECONDS, warmUpSeconds: LATENCY_WARMUP_SECONDS, firstSeq };
    const profileFile = process.env.BENCH_LATENCY_CPU_PROFILE && `${process.env.BENCH_LATENCY_CPU_PROFILE}-${rate}.cpuprofile`;
    const { result: lat, profile } = await profiled(profileFile, () => measureLatency(relay, rate, settings));
    firstSeq += lat.warmUpEvents + lat.events;
    const where = Object.entries(lat.phases)
      .map(([phase, f]) => `${phase} ${f.p50Ms}/${f.p99Ms}/${f.slowest1pctMeanMs}`)
      .join(', ');
    log(
      `latency at ${rate}/s offered (${lat.achievedRate}/s achieved, after ${lat.warmUpSeconds} s of warm-up): p50 ${lat.p50Ms} ms, p99 ${lat.p99Ms} ms (marked: ${lat.markedP50Ms}/${lat.markedP99Ms}; ` +
        `with the warm-up: ${lat.withWarmUp.p50Ms}/${lat.withWarmUp.p99Ms}); p50/p99/slowest-1%-mean ms: ${where}`,
    );
    figures.push(profile ? { ...lat, profile } : lat);
  }
  await relay.stop();
  return figures;
}

/**
 * `--relays`: for each count, a fresh table with the backlog, drained by that many relay processes
 * (bench/outbox-relay-process.ts) at once; rate from the first send to the last ack of any of them,
 * CPU ms per 1,000 events of each relay (its process CPU over the rows it shipped).
 */
async function relayScaling() {
  const results = [];
  for (const count of RELAY_COUNTS) {
    const table = `${TABLE}_relays${count}`;
    const app = await createBenchApp(table);
    const dataSource = app.get<DataSource>(getDataSourceToken());
    try {
      await fillBacklog(dataSource, app.get(OutboxPublisher));
      const env = {
        KAFKA_BROKERS: BROKERS.join(','),
        DATABASE_URL,
        OUTBOX_TABLE: table,
        OUTBOX_BATCH_SIZE: String(BATCH_SIZE),
        OUTBOX_CONCURRENCY: String(CONCURRENCY),
      };
      const relays = await Promise.all(
        Array.from({ length: count }, () => runBenchProcess<{ shipped: number; cpuMs: number; firstSendAt: number; lastAckAt: number }>('outbox-relay-process.ts', env)),
      );
      const seconds = (Math.max(...relays.map((r) => r.lastAckAt)) - Math.min(...relays.map((r) => r.firstSendAt))) / 1000;
      const figures = {
        relays: count,
        eventsPerSecond: Math.round(BACKLOG / seconds),
        shippedPerRelay: relays.map((r) => r.shipped),
        cpuMsPer1000PerRelay: relays.map((r) => Math.round((r.cpuMs / Math.max(1, r.shipped)) * 1000 * 10) / 10),
      };
      log(`${count} relay process(es): ${figures.eventsPerSecond} events/s, shipped ${figures.shippedPerRelay.join('/')}, CPU ms/1000 per relay ${figures.cpuMsPer1000PerRelay.join('/')}`);
      results.push(figures);
    } finally {
      await dataSource.query(`DROP TABLE IF EXISTS "${table}_lanes", "${table}_meta", "${table}"`).catch(() => undefined);
      await app.close();
    }
  }
  return results;
}

async function main(): Promise<void> {
  const run = new BenchRun('outbox');
  const app = await createBenchApp(TABLE);
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const kafka = app.get(KafkaClient);
  const relay = app.get(OutboxRelay);
  try {
    await kafka.admin.ensureTopics([topicSpec(TOPIC), topicSpec(RAW_TOPIC)]);
    const tp = PHASES.has('throughput') ? await throughput(run, app) : undefined;
    const latency = PHASES.has('latency') ? await latencies(relay) : [];
    const observability = PHASES.has('observability') ? await observabilityCost() : undefined;
    const relays = PHASES.has('relays') ? await relayScaling() : undefined;
    if (observability) {
      log(`observability: OFF ${observability.offEventsPerSecond} events/s, ON ${observability.onEventsPerSecond} events/s, overhead ${observability.overheadRatio}`);
    }
    const headline = latency.find((l) => l.offeredRate === HEADLINE_RATE);
    const result = {
      bench: 'outbox',
      quick: QUICK,
      database: 'postgres',
      config: {
        backlog: BACKLOG,
        rounds: ROUNDS,
        batchSize: BATCH_SIZE,
        concurrency: CONCURRENCY,
        partitions: PARTITIONS,
        replication: REPLICATION,
        brokers: BROKERS,
        keys: KEYS,
        lanes: 64,
        latencySeconds: LATENCY_SECONDS,
        latencyWarmUpSeconds: LATENCY_WARMUP_SECONDS,
        preparedStatements: PREPARED_STATEMENTS,
      },
      relay: {
        eventsPerSecond: tp?.drained.eventsPerSecond,
        p50Ms: headline?.p50Ms,
        p99Ms: headline?.p99Ms,
        peakRssMb: tp?.drained.peakRssMb,
        cpuMsPer1000: tp?.drained.cpuMsPer1000,
        drain: tp?.drained,
      },
      raw: tp?.raw,
      relayToRaw: tp?.relayToRaw,
      cpuPerEventToRaw: tp?.cpuPerEventToRaw,
      profile: tp?.profile,
      rawProfile: tp?.rawProfile,
      latency,
      observability,
      relays,
      machine: run.machine(),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await relay.stop();
    await dataSource.query(`DROP TABLE IF EXISTS "${TABLE}_lanes", "${TABLE}_meta", "${TABLE}"`).catch(() => undefined);
    const admin = await kafka.admin.client().catch(() => undefined);
    await admin?.deleteTopics({ topics: [TOPIC, RAW_TOPIC] }).catch(() => undefined);
    await app.close();
  }
}

main().catch((e) => {
  process.stderr.write(`bench:outbox failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
