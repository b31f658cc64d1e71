import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { MetricLabels, throttledRead, TributaryMetrics } from '@tributary/kafka';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { OutboxContext } from '../outbox.context';
import type { OutboxTableStats } from '../store/outbox.store';

/** Why a relay send failed: Kafka unreachable (`broker`), or the broker refused a row (`refused`). */
export type OutboxSendFailureReason = 'broker' | 'refused';

/** What a relay pause was for: Kafka (a send or a producer connect failed) or the database. */
export type OutboxOutageKind = 'kafka' | 'database';

const TABLE = 'table';

/** Bucket bounds of the commit→ack histogram, seconds. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Bucket bounds of the send-duration histogram, seconds. */
const SEND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Bucket bounds of the batch-size histogram, rows. */
const BATCH_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

type TableGauge = Gauge<typeof TABLE>;

/**
 * Prometheus metrics of one outbox table (label `table`). Counters and histograms are fed by the
 * relay; the row gauges read the table when scraped, at most once per `metricsRefreshMs`, with
 * the status-filtered, index-backed queries of `OutboxStore.stats`. Metrics live on the registry
 * of `TributaryMetrics`, shared by every app of the process: each app only sets its own table's
 * series, and removes its collectors when its module is destroyed.
 */
@Injectable()
export class OutboxMetrics implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxMetrics.name);
  private readonly table: string;
  private readonly shipped: Counter<typeof TABLE | typeof MetricLabels.DESTINATION>;
  private readonly failures: Counter<typeof TABLE | 'reason'>;
  private readonly outages: Counter<typeof TABLE | 'kind'>;
  /** Histograms bound to this table's label (looked up once, not per observation). */
  private readonly commitToAck: ReturnType<Histogram<typeof TABLE>['labels']>;
  private readonly batchSize: ReturnType<Histogram<typeof TABLE>['labels']>;
  private readonly sendDuration: ReturnType<Histogram<typeof TABLE>['labels']>;
  private readonly gauges: { pending: TableGauge; oldest: TableGauge; retrying: TableGauge; dead: TableGauge };
  private removers: Array<() => void> = [];

  constructor(
    private readonly metrics: TributaryMetrics,
    private readonly context: OutboxContext,
  ) {
    this.table = context.options.tableName;
    const labelNames = [TABLE] as const;
    this.shipped = metrics.counter({
      name: 'tributary_outbox_events_shipped_total',
      help: 'Outbox events Kafka acknowledged, by outbox table and topic.',
      labelNames: [TABLE, MetricLabels.DESTINATION] as const,
    });
    this.failures = metrics.counter({
      name: 'tributary_outbox_send_failures_total',
      help: 'Failed relay sends: reason "broker" (Kafka unreachable, per send) or "refused" (the broker refused a row, per row).',
      labelNames: [TABLE, 'reason'] as const,
    });
    this.outages = metrics.counter({
      name: 'tributary_outbox_relay_outages_total',
      help: 'Times the relay paused (backing off) because Kafka ("kafka": a send or producer connect failed) or the database ("database") was unreachable.',
      labelNames: [TABLE, 'kind'] as const,
    });
    this.commitToAck = metrics
      .histogram({
        name: 'tributary_outbox_commit_to_ack_seconds',
        help: 'Time from an outbox row being written (publish) to Kafka acknowledging it.',
        labelNames,
        buckets: LATENCY_BUCKETS,
      })
      .labels(this.table);
    this.batchSize = metrics
      .histogram({ name: 'tributary_outbox_relay_batch_size', help: 'Rows per relay batch sent to Kafka.', labelNames, buckets: BATCH_BUCKETS })
      .labels(this.table);
    this.sendDuration = metrics
      .histogram({
        name: 'tributary_outbox_relay_send_duration_seconds',
        help: 'Duration of a relay batch\'s Kafka send (one request, or row by row after a refusal).',
        labelNames,
        buckets: SEND_BUCKETS,
      })
      .labels(this.table);
    this.gauges = {
      pending: metrics.gauge({ name: 'tributary_outbox_pending_rows', help: 'Outbox rows never tried yet.', labelNames }),
      oldest: metrics.gauge({
        name: 'tributary_outbox_oldest_pending_age_seconds',
        help: 'Age of the oldest unpublished (pending or retrying) outbox row; 0 when there is none.',
        labelNames,
      }),
      retrying: metrics.gauge({ name: 'tributary_outbox_retrying_rows', help: 'Outbox rows refused once or more, waiting for their next attempt.', labelNames }),
      dead: metrics.gauge({ name: 'tributary_outbox_dead_rows', help: 'Outbox rows that exhausted their attempts.', labelNames }),
    };
  }

  onApplicationBootstrap(): void {
    if (this.removers.length > 0) return;
    const store = this.context.store;
    const read = throttledRead(() => store.withSession((s) => store.stats(s)), this.context.options.metricsRefreshMs);
    // One read serves all four gauges: each gauge's collector awaits the same (throttled) query.
    const collect = (set: (stats: OutboxTableStats, gauge: TableGauge) => void) => async (gauge: TableGauge) => {
      try {
        set(await read(), gauge);
      } catch (e) {
        // The scrape still succeeds; the series disappear while the table cannot be read.
        gauge.remove(this.table);
        this.logger.warn(`outbox metrics: cannot read ${this.table}: ${(e as Error).message}`);
      }
    };
    const { pending, oldest, retrying, dead } = this.gauges;
    this.removers = [
      this.metrics.collect(pending, collect((s, g) => g.set({ table: this.table }, s.pending))),
      this.metrics.collect(retrying, collect((s, g) => g.set({ table: this.table }, s.retrying))),
      this.metrics.collect(dead, collect((s, g) => g.set({ table: this.table }, s.dead))),
      this.metrics.collect(oldest, collect((s, g) => g.set({ table: this.table }, oldestAgeSeconds(s.oldestUnpublishedAt)))),
    ];
  }

  onModuleDestroy(): void {
    for (const remove of this.removers) remove();
    this.removers = [];
    for (const gauge of Object.values(this.gauges)) gauge.remove(this.table);
  }

  /** A batch of `rows` rows is about to be sent. */
  batchStarted(rows: number): void {
    this.batchSize.observe(rows);
  }

  /** A Kafka send (of one batch) took `seconds`. */
  sendFinished(seconds: number): void {
    this.sendDuration.observe(seconds);
  }

  /** Kafka acked `rows` at `ackedAt` (epoch ms). */
  acked(rows: ReadonlyArray<{ topic: string; createdAt: Date }>, ackedAt: number): void {
    let topic: string | undefined;
    let count = 0;
    for (const row of rows) {
      this.commitToAck.observe(Math.max(0, ackedAt - row.createdAt.getTime()) / 1000);
      // Rows come grouped by lane, mostly one topic: count runs instead of one inc per row.
      if (row.topic !== topic) {
        if (count > 0) this.shipped.inc({ table: this.table, [MetricLabels.DESTINATION]: topic }, count);
        topic = row.topic;
        count = 0;
      }
      count++;
    }
    if (count > 0) this.shipped.inc({ table: this.table, [MetricLabels.DESTINATION]: topic }, count);
  }

  /** A send failed: once per send for `broker`, once per row for `refused`. */
  sendFailed(reason: OutboxSendFailureReason, count = 1): void {
    this.failures.inc({ table: this.table, reason }, count);
  }

  /** The relay paused for an outage of `kind`. */
  outage(kind: OutboxOutageKind): void {
    this.outages.inc({ table: this.table, kind });
  }
}

/** Seconds since `at` (0 when there is no such row). */
export function oldestAgeSeconds(at: Date | null, now = Date.now()): number {
  return at ? Math.max(0, now - at.getTime()) / 1000 : 0;
}
