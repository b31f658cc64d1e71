import type { Logger } from '@nestjs/common';
import { RateMeter, SlowOperationLogger } from '@tributary/kafka';
import type { TopicMessages } from 'kafkajs';
import { performance } from 'node:perf_hooks';
import type { OutboxMetrics, OutboxOutageKind } from '../observability/outbox-metrics';
import { OutboxSendTrace } from '../observability/outbox-tracing';
import type { OutboxRow } from '../store/outbox-row.interface';

/** One Kafka send being measured and traced; `end` it once with what happened. */
export interface RelaySendObservation {
  /** `failedTopics`: topics with a refused row; `outage`: the send failed as a whole. */
  end(outcome: { failedTopics: ReadonlySet<string>; error?: unknown; outage?: unknown }): void;
}

/**
 * What the relay reports about itself: this instance's counters (for `OutboxRelay.metrics()`),
 * the Prometheus metrics of its table, the `send <topic>` spans and the slow-batch log.
 */
export class RelayTelemetry {
  shippedTotal = 0;
  failuresTotal = 0;
  outagesTotal = 0;
  private readonly rate = new RateMeter({ windowMs: 10_000, decimals: 1 });
  private readonly slowBatches: SlowOperationLogger;

  constructor(
    private readonly metrics: OutboxMetrics,
    private readonly table: string,
    logger: Logger,
    slowBatchThresholdMs: number,
  ) {
    this.slowBatches = new SlowOperationLogger(logger, slowBatchThresholdMs);
  }

  /** Rows shipped per second over the last 10 s. */
  get shippedPerSecond(): number {
    return this.rate.perSecond();
  }

  /** A batch of `rows` rows goes to Kafka. */
  batchStarted(rows: number): void {
    this.metrics.batchStarted(rows);
  }

  /** Start timing and tracing one send of `batch` (a `send <topic>` span per topic). */
  startSend(batch: TopicMessages[]): RelaySendObservation {
    const trace = new OutboxSendTrace(batch);
    const startedAt = performance.now();
    return {
      end: ({ failedTopics, error, outage }) => {
        this.metrics.sendFinished((performance.now() - startedAt) / 1000);
        if (outage !== undefined) trace.end('all', outage);
        else trace.end(failedTopics, error);
      },
    };
  }

  /** Kafka acked `rows` at `ackedAt`. */
  acked(rows: OutboxRow[], ackedAt: number): void {
    this.shippedTotal += rows.length;
    this.rate.add(rows.length, ackedAt);
    this.metrics.acked(rows, ackedAt);
  }

  /** The broker refused a row. */
  refused(): void {
    this.failuresTotal++;
    this.metrics.sendFailed('refused');
  }

  /** The relay paused: Kafka (a send or connect failed) or the database was unreachable. */
  outage(kind: OutboxOutageKind): void {
    this.outagesTotal++;
    this.metrics.outage(kind);
    if (kind === 'kafka') this.metrics.sendFailed('broker');
  }

  /** A batch over `lanes` that sent `rows` finished (or failed) after `durationMs`. */
  batchFinished(durationMs: number, lanes: readonly number[], rows: ReadonlyArray<Pick<OutboxRow, 'topic'>>): void {
    this.slowBatches.check(durationMs, () => describeBatch(this.table, lanes, rows));
  }
}

/** What a slow batch log says: table, lanes, row count and topics (never payloads or keys). */
export function describeBatch(table: string, lanes: readonly number[], rows: ReadonlyArray<Pick<OutboxRow, 'topic'>>): string {
  const topics = [...new Set(rows.map((r) => r.topic))];
  const shown = topics.length > 5 ? `${topics.slice(0, 5).join(', ')} and ${topics.length - 5} more` : topics.join(', ') || 'none';
  return `outbox relay batch on ${table} (${lanes.length} lanes, ${rows.length} rows, topics: ${shown})`;
}
