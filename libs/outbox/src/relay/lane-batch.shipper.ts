import type { Logger } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import type { OutboxContext } from '../outbox.context';
import type { OutboxRowFailure } from '../store/outbox.store';
import type { OutboxRow } from '../store/outbox-row.interface';
import type { SqlSession } from '../store/sql-session';
import { backoffDelay } from '../util/backoff';
import type { KafkaBatchSender } from './kafka-batch.sender';
import { describeSendError } from './kafka-send-error';
import { planLaneBatch } from './lane-batch.planner';
import type { OutboxShippedBatch } from './outbox-relay.interfaces';
import type { RelayTelemetry } from './relay.telemetry';

/** What a batch left in one lane. */
export interface LaneResult {
  /** Rows remain that the batch could not take. */
  more: boolean;
  /** The lane's next row waits for this time (epoch ms). */
  retryAt?: number;
}

/** What a batch did, per lane held (lanes missing from the map were held by another relay). */
export interface BatchOutcome {
  lanes: Map<number, LaneResult>;
  shipped: number;
  /** Rows the batch sent (acked or not). */
  sent: OutboxRow[];
  outage?: unknown;
}

/**
 * The unit of work of the relay: one batch over the lanes it holds, inside the lane lock's
 * transaction — read the lanes' next rows, send them in one Kafka request, mark the acked rows
 * published and record refusals (retry with backoff, or dead after `maxAttempts`).
 */
export class LaneBatchShipper {
  constructor(
    private readonly context: OutboxContext,
    private readonly sender: KafkaBatchSender,
    private readonly telemetry: RelayTelemetry,
    private readonly logger: Logger,
    private readonly onShipped: (batch: OutboxShippedBatch) => void,
  ) {}

  /** One batch over the lanes this instance holds: one read, one Kafka request, one update. */
  async ship(session: SqlSession, held: number[], producer: Producer): Promise<BatchOutcome> {
    const { batchSize, maxBatchBytes, deadRowPolicy, retentionMs, instanceId } = this.context.options.relay;
    const store = this.context.store;
    const now = Date.now();
    const perLane = { batchSize: Math.max(1, Math.ceil(batchSize / held.length)), maxBatchBytes: Math.max(1024, Math.floor(maxBatchBytes / held.length)) };
    const blockOnDead = deadRowPolicy === 'block';
    const ready = await store.fetchDueRetrying(session, held, new Date(now), batchSize, blockOnDead);
    const pending = await store.fetchPending(session, held.map((lane) => ({ lane, limit: perLane.batchSize })), blockOnDead);
    const lanes = new Map<number, LaneResult>();
    const send: OutboxRow[] = [];
    for (const lane of held) {
      const lanePending = pending.filter((r) => r.lane === lane);
      const plan = planLaneBatch(
        ready.filter((r) => r.lane === lane),
        lanePending,
        lanePending.length >= perLane.batchSize,
        perLane,
      );
      send.push(...plan.send);
      lanes.set(lane, { more: plan.more });
    }
    if (send.length === 0) {
      // Nothing to send: rows may be waiting for a retry time (or behind a dead row, until an admin acts).
      const retryAt = await store.nextRetryAt(session, held, new Date(now));
      for (const result of lanes.values()) result.retryAt = retryAt;
      return { lanes, shipped: 0, sent: send };
    }

    this.telemetry.batchStarted(send.length);
    const result = await this.sender.send(producer, send);
    if (result.acked.length > 0) {
      const ackedAt = Date.now();
      this.telemetry.acked(result.acked, ackedAt);
      this.onShipped({
        lanes: held,
        rowIds: result.acked.map((r) => r.id),
        eventIds: result.acked.map((r) => r.eventId),
        ackedAt,
        instanceId,
      });
      await store.markPublished(session, result.acked.map((r) => r.id), new Date(ackedAt), retentionMs === 0);
    }
    for (const { row, error } of result.failed) {
      const failure = this.failureOf(row, error);
      await store.markFailed(session, failure);
      const lane = lanes.get(row.lane)!;
      if (failure.status === 'retrying') lane.retryAt = Math.min(lane.retryAt ?? Infinity, failure.availableAt.getTime());
      // A dead row under 'skip' frees its key: look at the lane again.
      else lane.more = true;
    }
    return { lanes, shipped: result.acked.length, sent: send, outage: result.outage };
  }

  private failureOf(row: OutboxRow, error: unknown): OutboxRowFailure {
    const { maxAttempts, retryBackoff } = this.context.options.relay;
    this.telemetry.refused();
    const attempts = row.attempts + 1;
    const dead = attempts >= maxAttempts;
    const message = describeSendError(error);
    if (dead) {
      this.logger.error(`outbox row ${row.id} (event ${row.eventId}, ${row.type} to ${row.topic}) is dead after ${attempts} attempts: ${message}`);
    } else {
      this.logger.warn(`outbox row ${row.id} (${row.type} to ${row.topic}) refused, attempt ${attempts}/${maxAttempts}: ${message}`);
    }
    return {
      id: row.id,
      status: dead ? 'dead' : 'retrying',
      attempts,
      availableAt: new Date(Date.now() + (dead ? 0 : backoffDelay(attempts, retryBackoff))),
      error: message,
    };
  }
}
