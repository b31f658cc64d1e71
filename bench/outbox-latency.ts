/*
 * Commit-to-ack latency of the outbox relay at a fixed offered load: a load generator process
 * (bench/outbox-load.ts) commits one event per transaction at `rate` events/s while the relay runs
 * in this process with LISTEN/NOTIFY. Latency = Kafka ack − the time the commit returned (wall
 * clocks of the same machine). Each event's time is split into the phases of the batch that
 * shipped it (`OutboxBatchTimings`): wake-up, queue, claim, send; marking follows the ack. The
 * generator first runs `warmUpSeconds` at the rate; those events are left out of the figures
 * except `withWarmUp`, which covers the whole run.
 */
import { writeFileSync } from 'node:fs';
import type { OutboxBatchTimings, OutboxRelay, OutboxShippedBatch } from '@tributary/outbox';
import { runBenchProcess } from './outbox-process';
import { percentile } from './support/bench-run';

const PHASES = ['wakeUp', 'queue', 'claim', 'send', 'mark'] as const;
type Phase = (typeof PHASES)[number];

export interface LatencyFigures {
  offeredRate: number;
  achievedRate: number;
  events: number;
  warmUpEvents: number;
  /** Commit → Kafka ack. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Commit → the relay's `published` mark committed (what `shipped$` subscribers see). */
  markedP50Ms: number;
  markedP99Ms: number;
  /** Rows per batch, median. */
  batchRowsP50: number;
  /** Per phase: p50 and p99 over events, and the mean over the slowest 1 % of events. */
  phases: Record<Phase, { p50Ms: number; p99Ms: number; slowest1pctMeanMs: number }>;
  publisherBackpressureTicks: number;
  /** Seconds at the rate before the measured window (not counted above). */
  warmUpSeconds: number;
  /** Commit → ack over the warm-up and the measured window together. */
  withWarmUp: { p50Ms: number; p99Ms: number; maxMs: number };
}

export interface LoadSettings {
  brokers: string[];
  databaseUrl: string;
  table: string;
  topic: string;
  seconds: number;
  warmUpSeconds: number;
  firstSeq: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x * 100) / 100;

/** Where an event committed at `committedAt` spent its time in the batch that shipped it. */
function phasesOf(committedAt: number, t: OutboxBatchTimings): Record<Phase, number> {
  // Each step can only start once the row exists: a batch that started before the commit and
  // still read the row counts from the commit.
  const signalled = Math.max(committedAt, t.signalledAt);
  const started = Math.max(signalled, t.startedAt);
  const claimed = Math.max(started, t.claimedAt);
  const acked = Math.max(claimed, t.ackedAt);
  return {
    wakeUp: signalled - committedAt,
    queue: started - signalled,
    claim: claimed - started,
    send: acked - claimed,
    mark: Math.max(acked, t.markedAt) - acked,
  };
}

/** Run the load generator at `rate` events/s for `settings.seconds` while `relay` ships. */
export async function measureLatency(relay: OutboxRelay, rate: number, settings: LoadSettings): Promise<LatencyFigures> {
  const shipped = new Map<string, OutboxBatchTimings>();
  const batchRows: number[] = [];
  const subscription = relay.shipped$.subscribe((b: OutboxShippedBatch) => {
    batchRows.push(b.eventIds.length);
    for (const id of b.eventIds) shipped.set(id, b.timings);
  });
  const load = await runBenchProcess<{ committed: Array<[string, number]>; warmUp: Array<[string, number]>; achievedRate: number; backpressure: number }>('outbox-load.ts', {
    KAFKA_BROKERS: settings.brokers.join(','),
    DATABASE_URL: settings.databaseUrl,
    OUTBOX_TABLE: settings.table,
    OUTBOX_TOPIC: settings.topic,
    OUTBOX_RATE: String(rate),
    OUTBOX_SECONDS: String(settings.seconds),
    OUTBOX_FIRST_SEQ: String(settings.firstSeq),
    OUTBOX_WARMUP_SECONDS: String(settings.warmUpSeconds),
  });
  const deadline = Date.now() + 30_000;
  const all = [...load.warmUp, ...load.committed];
  while (all.some(([id]) => !shipped.has(id)) && Date.now() < deadline) await sleep(20);
  subscription.unsubscribe();

  /** Commit → ack of one event (Infinity when it was not shipped in time). */
  const ackLatency = (id: string, committedAt: number) => {
    const t = shipped.get(id);
    return t ? Math.max(0, t.ackedAt - committedAt) : Infinity;
  };
  const acked = load.committed.map(([id, committedAt]) => ackLatency(id, committedAt)).sort((a, b) => a - b);
  const whole = all.map(([id, committedAt]) => ackLatency(id, committedAt)).sort((a, b) => a - b);
  const marked: number[] = [];
  const perEvent: Array<{ total: number; phases: Record<Phase, number> }> = [];
  for (const [id, committedAt] of load.committed) {
    const t = shipped.get(id);
    marked.push(t ? Math.max(0, t.markedAt - committedAt) : Infinity);
    if (t) perEvent.push({ total: ackLatency(id, committedAt), phases: phasesOf(committedAt, t) });
  }
  marked.sort((a, b) => a - b);
  if (process.env.BENCH_LATENCY_DUMP) {
    const lines = load.committed.map(([id, at]) => {
      const t = shipped.get(id);
      return JSON.stringify({ at, total: t ? t.ackedAt - at : null, phases: t ? phasesOf(at, t) : null });
    });
    writeFileSync(`${process.env.BENCH_LATENCY_DUMP}-${rate}.jsonl`, `${lines.join('\n')}\n`);
  }
  perEvent.sort((a, b) => a.total - b.total);
  const slowest = perEvent.slice(Math.floor(perEvent.length * 0.99));
  const phases = Object.fromEntries(
    PHASES.map((phase) => {
      const values = perEvent.map((e) => e.phases[phase]).sort((a, b) => a - b);
      const tail = slowest.reduce((sum, e) => sum + e.phases[phase], 0) / Math.max(1, slowest.length);
      return [phase, { p50Ms: percentile(values, 50), p99Ms: percentile(values, 99), slowest1pctMeanMs: round(tail) }];
    }),
  ) as LatencyFigures['phases'];
  return {
    offeredRate: rate,
    achievedRate: load.achievedRate,
    events: load.committed.length,
    warmUpEvents: load.warmUp.length,
    p50Ms: percentile(acked, 50),
    p99Ms: percentile(acked, 99),
    maxMs: percentile(acked, 100),
    markedP50Ms: percentile(marked, 50),
    markedP99Ms: percentile(marked, 99),
    batchRowsP50: percentile(batchRows.sort((a, b) => a - b), 50),
    phases,
    publisherBackpressureTicks: load.backpressure,
    warmUpSeconds: settings.warmUpSeconds,
    withWarmUp: { p50Ms: percentile(whole, 50), p99Ms: percentile(whole, 99), maxMs: percentile(whole, 100) },
  };
}
