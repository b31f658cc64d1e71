import type { Logger } from '@nestjs/common';
import { backoffDelay } from '@tributary/kafka';
import { randomBytes } from 'node:crypto';
import type { OutboxContext } from '../outbox.context';
import type { OutboxRowFailure } from '../store/outbox.store';
import type { OutboxRow } from '../store/outbox-row.interface';
import type { SqlSession } from '../store/sql-session';
import type { KafkaBatchSender, SendResult } from './kafka-batch.sender';
import { describeSendError } from './kafka-send-error';
import { planLaneBatch } from './lane-batch.planner';
import type { OutboxShippedBatch } from './outbox-relay.interfaces';
import type { RelayTelemetry } from './relay.telemetry';
import { epochMs } from '../util/epoch-ms';

/** What a batch left in one lane. */
export interface LaneResult {
  /** Rows remain that the batch could not take. */
  more: boolean;
  /** The lane's next row waits for this time (epoch ms). */
  retryAt?: number;
}

/** What a batch did, per lane held (lanes missing from the map were held, or taken over, by another relay). */
export interface BatchOutcome {
  lanes: Map<number, LaneResult>;
  shipped: number;
  /** Rows the batch sent (acked or not). */
  sent: OutboxRow[];
  outage?: unknown;
}

/** The rows a claim read, and what each claimed lane holds. */
interface ClaimedBatch {
  lanes: Map<number, LaneResult>;
  send: OutboxRow[];
}

/**
 * The unit of work of the relay, one batch over some lanes, in three steps that never hold a
 * database connection across the Kafka send:
 * 1. claim (one short transaction): read the free lanes' next rows, lease the lanes they come from;
 * 2. send them in one Kafka request on a producer of the batch's own, taken from the sender's pool
 *    only for the send (a batch with nothing to send never waits for a producer to connect),
 *    renewing the lease meanwhile (no database connection held in between);
 * 3. record (one short transaction, only on lanes whose lease is still ours): mark acked rows
 *    published, record refusals (retry with backoff, or dead after `maxAttempts`), release the
 *    lease. `shipped$` hears of the rows after that transaction committed.
 */
export class LaneBatchShipper {
  constructor(
    private readonly context: OutboxContext,
    private readonly sender: KafkaBatchSender,
    private readonly telemetry: RelayTelemetry,
    private readonly logger: Logger,
    private readonly onShipped: (batch: OutboxShippedBatch) => void,
  ) {}

  /** One batch over those of `lanes` no other relay holds; undefined when another relay holds them all. */
  async ship(lanes: number[], signalledAt: number): Promise<BatchOutcome | undefined> {
    const startedAt = epochMs();
    const { leaseMs, instanceId } = this.context.options.relay;
    const store = this.context.store;
    // A fresh token per batch: a relay whose lease expired mid-send cannot mark rows another relay took over.
    const owner = `${instanceId.slice(0, 200)}#${randomBytes(6).toString('hex')}`;
    const claimed = await this.claim(lanes, owner);
    if (!claimed) return undefined;
    if (claimed.send.length === 0) return { lanes: claimed.lanes, shipped: 0, sent: [] };

    const claimedAt = epochMs();
    const leased = lanesOf(claimed.send);
    this.telemetry.batchStarted(claimed.send.length);
    const renewal = setInterval(
      () => void store.renewLeases(leased, owner, leaseMs).catch((e: Error) => this.logger.warn(`outbox lane lease renewal failed: ${e.message}`)),
      Math.max(100, Math.floor(leaseMs / 3)),
    );
    let result: SendResult;
    try {
      result = await this.sender.send(claimed.send);
    } catch (e) {
      await store.withLeasedLanes(leased, owner, async () => undefined).catch(() => undefined);
      throw e;
    } finally {
      clearInterval(renewal);
    }
    const ackedAtPrecise = epochMs();
    const ackedAt = Math.floor(ackedAtPrecise);
    if (result.acked.length > 0) this.telemetry.acked(result.acked, ackedAt);
    const marked =
      result.failed.length === 0
        ? await this.markShipped(leased, owner, claimed, result, ackedAt)
        : await store.withLeasedLanes(leased, owner, (session, ours) => this.record(session, new Set(ours), leased, claimed, result, ackedAt));
    if (marked.length > 0) {
      const timings = { signalledAt: Math.min(signalledAt, startedAt), startedAt, claimedAt, ackedAt: ackedAtPrecise, markedAt: epochMs() };
      // After the commit: a subscriber reading the rows on another connection sees them published.
      this.onShipped({
        lanes: leased,
        rowIds: marked.map((r) => r.id),
        eventIds: marked.map((r) => r.eventId),
        ackedAt,
        instanceId,
        timings,
      });
    }
    return { lanes: claimed.lanes, shipped: result.acked.length, sent: claimed.send, outage: result.outage };
  }

  /** Claim the free lanes among `lanes` and plan the send from their next rows; undefined when none was free. */
  private async claim(lanes: number[], owner: string): Promise<ClaimedBatch | undefined> {
    const { batchSize, maxBatchBytes, deadRowPolicy, leaseMs } = this.context.options.relay;
    const store = this.context.store;
    const now = new Date();
    const claimed = await store.claimNextRows(lanes, owner, leaseMs, { batchSize, now, blockOnDead: deadRowPolicy === 'block' });
    if (!claimed) return undefined;
    const { held, ready, pending, perLaneLimit } = claimed;
    const perLane = { batchSize: perLaneLimit, maxBatchBytes: Math.max(1024, Math.floor(maxBatchBytes / held.length)) };
    const lanesHeld = new Map<number, LaneResult>();
    const send: OutboxRow[] = [];
    for (const lane of held) {
      const lanePending = pending.filter((r) => r.lane === lane);
      const plan = planLaneBatch(
        ready.filter((r) => r.lane === lane),
        lanePending,
        lanePending.length >= perLaneLimit,
        perLane,
      );
      send.push(...plan.send);
      lanesHeld.set(lane, { more: plan.more });
    }
    if (send.length === 0) {
      // Nothing to send: rows may be waiting for a retry time (or behind a dead row, until an admin acts).
      const retryAt = await store.withSession((session) => store.nextRetryAt(session, held, now));
      for (const result of lanesHeld.values()) result.retryAt = retryAt;
    }
    return { lanes: lanesHeld, send };
  }

  /** Kafka acked the whole send: mark its rows in the lanes still ours, release the leases. */
  private async markShipped(leased: number[], owner: string, claimed: ClaimedBatch, result: SendResult, ackedAt: number): Promise<OutboxRow[]> {
    const store = this.context.store;
    const ours = new Set(await store.markShipped(leased, owner, result.acked, new Date(ackedAt), this.context.options.relay.retentionMs === 0));
    this.forgetTakenOver(ours, leased, claimed);
    return result.acked.filter((r) => ours.has(r.lane));
  }

  /** Lanes whose lease expired during the send and were taken over: their outcome is the new holder's. */
  private forgetTakenOver(ours: ReadonlySet<number>, leased: number[], claimed: ClaimedBatch): void {
    for (const lane of leased) {
      if (ours.has(lane)) continue;
      claimed.lanes.delete(lane);
      this.logger.warn(`outbox lane ${lane} lease expired during a send and was taken over; its rows are left to the new holder`);
    }
  }

  /**
   * Record what Kafka did with the rows of the lanes still leased (`ours`); rows of a lane whose
   * lease expired and was taken over are left to the relay that took it (it sends them again).
   * Resolves to the rows marked published.
   */
  private async record(
    session: SqlSession,
    ours: ReadonlySet<number>,
    leased: number[],
    claimed: ClaimedBatch,
    result: SendResult,
    ackedAt: number,
  ): Promise<OutboxRow[]> {
    const { retentionMs } = this.context.options.relay;
    const store = this.context.store;
    this.forgetTakenOver(ours, leased, claimed);
    const acked = result.acked.filter((r) => ours.has(r.lane));
    await store.markPublished(session, acked.map((r) => r.id), new Date(ackedAt), retentionMs === 0);
    for (const { row, error } of result.failed) {
      if (!ours.has(row.lane)) continue;
      const failure = this.failureOf(row, error);
      await store.markFailed(session, failure);
      const lane = claimed.lanes.get(row.lane)!;
      if (failure.status === 'retrying') lane.retryAt = Math.min(lane.retryAt ?? Infinity, failure.availableAt.getTime());
      // A dead row under 'skip' frees its key: look at the lane again.
      else lane.more = true;
    }
    return acked;
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

/** Distinct lanes of some rows. */
function lanesOf(rows: OutboxRow[]): number[] {
  return [...new Set(rows.map((r) => r.lane))];
}
