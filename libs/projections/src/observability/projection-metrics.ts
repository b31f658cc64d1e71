import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { MetricLabels, throttledRead, TributaryMetrics } from '@tributary/kafka';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { TransactionConflict } from '../errors/transaction-conflict';
import { PROJECTION_STATES, type DeadLetterReason, type ProjectionState } from '../interfaces/projection-policies.enum';
import type { ProjectionPartitionStatus } from '../interfaces/projection-status.interface';

const PROJECTION = 'projection';
const EVENT_TYPE = 'event_type';
const REASON = 'reason';
const STATE = 'state';

/** Handler durations are often well under a millisecond (one upsert), so the buckets start low. */
const HANDLER_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type ByType = typeof PROJECTION | typeof EVENT_TYPE;
type LagLabels = typeof PROJECTION | typeof MetricLabels.DESTINATION | typeof MetricLabels.PARTITION;
type CounterChild = ReturnType<Counter<ByType>['labels']>;
type HistogramChild = ReturnType<Histogram<ByType>['labels']>;

/** What the scrape-time gauges read from a running projection (the worker). */
export interface ReportedProjection {
  readonly name: string;
  readonly state: ProjectionState;
  /** Rebuild progress 0..1 while `state` is `rebuilding`. */
  readonly rebuildRatio: number;
  /** Checkpoints against watermarks (database and admin reads). */
  partitions(): Promise<ProjectionPartitionStatus[]>;
}

/**
 * The Prometheus series of one projection, bound to its `projection` label: what the worker
 * calls on its hot path. Per event type, the labelled children are looked up once and kept.
 */
export class ProjectionMetricsRecorder {
  private readonly byType = new Map<string, { applied: CounterChild; duration: HistogramChild }>();

  constructor(
    private readonly projection: string,
    private readonly appliedCounter: Counter<ByType>,
    private readonly durationHistogram: Histogram<ByType>,
    private readonly deadLetterCounter: Counter<typeof PROJECTION | typeof REASON>,
    private readonly conflictCounter: Counter<typeof PROJECTION | typeof REASON>,
  ) {}

  /** Events applied (committed): counted per run of one type, not per event. */
  applied(items: ReadonlyArray<{ route?: { type: string } }>): void {
    let type: string | undefined;
    let count = 0;
    for (const item of items) {
      const itemType = item.route!.type;
      if (itemType !== type) {
        if (count > 0) this.of(type!).applied.inc(count);
        type = itemType;
        count = 0;
      }
      count++;
    }
    if (count > 0) this.of(type!).applied.inc(count);
  }

  /** One handler call (an `@On` event, or an `@OnBatch` run) took `seconds`. */
  handlerFinished(type: string, seconds: number): void {
    this.of(type).duration.observe(seconds);
  }

  /** `count` messages were sent to the dead-letter topic for `reason`. */
  deadLettered(reason: DeadLetterReason, count = 1): void {
    this.deadLetterCounter.inc({ [PROJECTION]: this.projection, [REASON]: reason }, count);
  }

  /** A batch transaction was rolled back for `reason` and will be applied again. */
  conflicted(reason: TransactionConflict): void {
    this.conflictCounter.inc({ [PROJECTION]: this.projection, [REASON]: reason });
  }

  private of(type: string): { applied: CounterChild; duration: HistogramChild } {
    let children = this.byType.get(type);
    if (!children) {
      children = { applied: this.appliedCounter.labels(this.projection, type), duration: this.durationHistogram.labels(this.projection, type) };
      this.byType.set(type, children);
    }
    return children;
  }
}

/**
 * Prometheus metrics of the app's projections (label `projection`), on the registry of
 * `TributaryMetrics`, which every app of the process shares: counters and the histogram are fed
 * by the workers through their `ProjectionMetricsRecorder`; lag, state and rebuild progress are
 * gauges set on scrape by collectors this app adds for its own projections and removes (with
 * their series) when its module is destroyed. Lag reads checkpoints and watermarks at most once
 * per `metricsRefreshMs` per projection.
 */
@Injectable()
export class ProjectionMetrics implements OnModuleDestroy {
  private readonly logger = new Logger('ProjectionMetrics');
  private readonly applied: Counter<ByType>;
  private readonly handlerDuration: Histogram<ByType>;
  private readonly deadLettered: Counter<typeof PROJECTION | typeof REASON>;
  private readonly conflicts: Counter<typeof PROJECTION | typeof REASON>;
  private readonly lag: Gauge<LagLabels>;
  private readonly rebuildProgress: Gauge<typeof PROJECTION>;
  private readonly state: Gauge<typeof PROJECTION | typeof STATE>;
  private removers: Array<() => void> = [];
  /** Lag series last set per projection, so partitions that went away (or a failed read) drop theirs. */
  private readonly lagSeries = new Map<string, Array<Partial<Record<LagLabels, string>>>>();
  private readonly reported: string[] = [];

  constructor(private readonly metrics: TributaryMetrics) {
    this.applied = metrics.counter({
      name: 'tributary_projection_events_applied_total',
      help: 'Events applied by a projection (committed with its checkpoint), by event type.',
      labelNames: [PROJECTION, EVENT_TYPE] as const,
    });
    this.handlerDuration = metrics.histogram({
      name: 'tributary_projection_handler_duration_seconds',
      help: 'Duration of one projection handler call: one event for @On, one run of events for @OnBatch (failed calls included).',
      labelNames: [PROJECTION, EVENT_TYPE] as const,
      buckets: HANDLER_BUCKETS,
    });
    this.deadLettered = metrics.counter({
      name: 'tributary_projection_dead_lettered_total',
      help: 'Messages a projection sent to its dead-letter topic, by reason (tributary-dlq-reason).',
      labelNames: [PROJECTION, REASON] as const,
    });
    this.conflicts = metrics.counter({
      name: 'tributary_projection_transaction_conflicts_total',
      help: 'Batch transactions of a projection the database refused for a conflict with another transaction, rolled back and applied again, by reason (deadlock, serialization-failure, lock-timeout).',
      labelNames: [PROJECTION, REASON] as const,
    });
    this.lag = metrics.gauge({
      name: 'tributary_projection_lag',
      help: 'Messages of a partition after the projection\'s checkpoint (high watermark - next offset to apply).',
      labelNames: [PROJECTION, MetricLabels.DESTINATION, MetricLabels.PARTITION] as const,
    });
    this.rebuildProgress = metrics.gauge({
      name: 'tributary_projection_rebuild_progress_ratio',
      help: 'Progress of the projection\'s rebuild on this instance, 0..1; 1 when it is not rebuilding.',
      labelNames: [PROJECTION] as const,
    });
    this.state = metrics.gauge({
      name: 'tributary_projection_state',
      help: 'Life-cycle state of the projection on this instance: 1 for the current state, 0 for the others.',
      labelNames: [PROJECTION, STATE] as const,
    });
  }

  /** The recorder a projection's worker feeds. */
  recorder(projection: string): ProjectionMetricsRecorder {
    return new ProjectionMetricsRecorder(projection, this.applied, this.handlerDuration, this.deadLettered, this.conflicts);
  }

  /** Report the gauges of `projections` on every scrape until the module is destroyed. */
  report(projections: ReportedProjection[], refreshMs: number): void {
    for (const projection of projections) {
      const name = projection.name;
      this.reported.push(name);
      const readPartitions = throttledRead(() => projection.partitions(), refreshMs);
      this.removers.push(
        this.metrics.collect(this.state, (gauge) => {
          for (const state of PROJECTION_STATES) gauge.set({ [PROJECTION]: name, [STATE]: state }, state === projection.state ? 1 : 0);
        }),
        this.metrics.collect(this.rebuildProgress, (gauge) => {
          gauge.set({ [PROJECTION]: name }, projection.state === 'rebuilding' ? projection.rebuildRatio : 1);
        }),
        this.metrics.collect(this.lag, async (gauge) => {
          // Its topics do not exist yet: there are no partitions to report.
          if (projection.state === 'waiting-for-topics') return this.setLag(gauge, name, []);
          try {
            this.setLag(gauge, name, await readPartitions());
          } catch (e) {
            // The scrape still succeeds; the series disappear while they cannot be read.
            this.setLag(gauge, name, []);
            this.logger.warn(`lag of projection "${name}" not read: ${(e as Error).message}`);
          }
        }),
      );
    }
  }

  onModuleDestroy(): void {
    for (const remove of this.removers) remove();
    this.removers = [];
    for (const name of this.reported.splice(0)) {
      this.setLag(this.lag, name, []);
      this.rebuildProgress.remove({ [PROJECTION]: name });
      for (const state of PROJECTION_STATES) this.state.remove({ [PROJECTION]: name, [STATE]: state });
    }
  }

  private setLag(gauge: Gauge<LagLabels>, name: string, partitions: ProjectionPartitionStatus[]): void {
    const series = partitions.map((p) => ({
      [PROJECTION]: name,
      [MetricLabels.DESTINATION]: p.topic,
      [MetricLabels.PARTITION]: String(p.partition),
    }));
    const current = new Set(series.map(seriesKey));
    for (const old of this.lagSeries.get(name) ?? []) if (!current.has(seriesKey(old))) gauge.remove(old);
    partitions.forEach((p, i) => gauge.set(series[i], p.lag));
    this.lagSeries.set(name, series);
  }
}

function seriesKey(labels: Partial<Record<LagLabels, string>>): string {
  return `${labels[MetricLabels.DESTINATION]}\u0000${labels[MetricLabels.PARTITION]}`;
}
