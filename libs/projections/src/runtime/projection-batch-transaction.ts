import type { Logger } from '@nestjs/common';
import { backoffDelay, type BackoffPolicy, type ConsumedBatch } from '@tributary/kafka';
import type { KafkaMessage } from 'kafkajs';
import { HandlerFailureError } from '../errors/handler-failure.error';
import { InboxConflictError } from '../errors/inbox-conflict.error';
import { transactionConflictOf, type TransactionConflict } from '../errors/transaction-conflict';
import type { ProjectionMetricsRecorder } from '../observability/projection-metrics';
import { DeadLetterHeaders } from '../projections.constants';
import type { InboxEntry } from '../persistence/projection-store';
import type { HeartbeatPause } from './heartbeat-pause';
import type { PreparedMessage } from './prepared-message';
import type { ProjectionConsumer } from './projection-consumer';
import type { ProjectionDeadLetterer } from './projection-dead-letterer';
import type { ProjectionDefinition, ProjectionWorkerDeps } from './projection-definition';
import type { ProjectionHandlerInvoker } from './projection-handler-invoker';
import type { ProjectionMessagePreparer } from './projection-message-preparer';
import type { ProjectionSavepointRetrier } from './projection-savepoint-retrier';

/** How a batch is applied: the first try expects new event ids and no handler failure. */
interface ApplyMode {
  /** A savepoint per event (per run for `@OnBatch`): after a handler failed. */
  withSavepoints: boolean;
  /** Record the event ids with the store's cheaper insert that fails on a known id. */
  expectNewIds: boolean;
}

/** What applying a batch did. */
export interface BatchOutcome {
  /** Highest offset the projection is now done with, or null when the batch must be fetched again. */
  lastOffset: bigint | null;
  applied: number;
  /** Deliveries skipped: below the checkpoint or already in the inbox. */
  duplicates: number;
}

/** The parts a batch transaction works with (built by the worker). */
export interface BatchTransactionParts {
  consumer: ProjectionConsumer;
  preparer: ProjectionMessagePreparer;
  invoker: ProjectionHandlerInvoker;
  retrier: ProjectionSavepointRetrier;
  deadLetterer: ProjectionDeadLetterer;
  metrics: ProjectionMetricsRecorder;
  /** Waits between tries of a batch the database refused for a conflict, heartbeating. */
  pause: HeartbeatPause;
  /** Pauses after the 1st, 2nd… conflict in a row of one batch (with jitter, so two instances part). */
  conflictBackoff: BackoffPolicy;
  logger: Logger;
  /** Told of each conflict (the worker keeps it as the status' `lastError`). */
  onConflict(description: string): void;
}

/** Batches of a projection that claim ids with the skipping insert after a duplicate was met. */
const BATCHES_AFTER_INBOX_CONFLICT = 20;
const HEARTBEAT_EVERY_MS = 1000;
/** A batch's conflicts in a row are logged at the first and then every this many. */
const LOG_CONFLICT_EVERY = 10;

/** A copy sent back to its origin topic by the admin's dead-letter replay. */
function isReplayedCopy(item: PreparedMessage): boolean {
  return item.message.headers?.[DeadLetterHeaders.REPLAYED_FROM] !== undefined;
}

function inboxEntryOf(item: PreparedMessage, topic: string, partition: number): InboxEntry {
  return { eventId: item.envelope!.eventId, topic, partition, offset: item.message.offset };
}

/**
 * The messages after the checkpoint. A batch is in offset order, so only the first messages can be
 * at or below it: the usual batch (all after it) costs one comparison, not a BigInt per message.
 */
function aboveCheckpoint(messages: KafkaMessage[], checkpoint: bigint | null): KafkaMessage[] {
  if (checkpoint === null) return messages;
  let first = 0;
  while (first < messages.length && BigInt(messages[first].offset) <= checkpoint) first++;
  return first === 0 ? messages : messages.slice(first);
}

/**
 * Split events into runs handled by one call: consecutive events routed to the same `@OnBatch`
 * method form one run; every `@On` event is a run of its own. Offset order is kept.
 */
function runsOf(items: PreparedMessage[]): PreparedMessage[][] {
  const runs: PreparedMessage[][] = [];
  for (const item of items) {
    const current = runs[runs.length - 1];
    if (current && item.route!.batch && current[0].route === item.route) current.push(item);
    else runs.push([item]);
  }
  return runs;
}

/**
 * One fetched batch in one database transaction: lock the partition's checkpoint, skip what is at
 * or below it, claim the event ids in the inbox (ids it held are duplicates, unless dead-lettered
 * and this is a replayed copy), run the handlers, dead-letter what cannot be applied (its id stays
 * claimed, marked dead-lettered), store the new checkpoint, commit. The fast path expects new
 * ids and no handler failure; a batch that breaks either is applied again the careful way.
 *
 * A batch the database refuses for a conflict with another transaction (deadlock, serialization
 * failure, lock timeout: another instance applying other partitions to the same rows) is rolled
 * back as a whole, which releases its locks, and applied again after a jittered pause, as long as
 * the consumer runs: no event is retried in a savepoint or dead-lettered for a conflict.
 */
export class ProjectionBatchTransaction {
  /** Batches left that claim event ids with the insert that skips known ids (after a duplicate). */
  private batchesToDedupe = 0;

  constructor(
    private readonly definition: ProjectionDefinition,
    private readonly deps: Pick<ProjectionWorkerDeps, 'dataSource' | 'store' | 'transactions'>,
    private readonly parts: BatchTransactionParts,
  ) {}

  /** Apply the batch, again with the skipping inbox insert or savepoints when the fast path cannot. */
  async apply(batch: ConsumedBatch): Promise<BatchOutcome> {
    let mode: ApplyMode = { withSavepoints: false, expectNewIds: this.batchesToDedupe === 0 };
    if (this.batchesToDedupe > 0) this.batchesToDedupe--;
    let conflicts = 0;
    for (;;) {
      try {
        return await this.deps.transactions(() => this.applyOnce(batch, mode));
      } catch (e) {
        // Also through HandlerFailureError: its cause is what the handler threw.
        const conflict = transactionConflictOf(e);
        if (conflict) {
          conflicts++;
          await this.afterConflict(batch, conflict, conflicts, e);
        } else if (e instanceof InboxConflictError && mode.expectNewIds) {
          // A known event id: apply again with the inbox insert that skips known ids, and keep
          // using it for a while (duplicates come in bursts, e.g. an upstream re-publishing).
          mode = { ...mode, expectNewIds: false };
          this.batchesToDedupe = BATCHES_AFTER_INBOX_CONFLICT;
        } else if (e instanceof HandlerFailureError && !mode.withSavepoints) {
          // Apply again with a savepoint per event so only the failing event's writes are undone.
          mode = { ...mode, withSavepoints: true };
        } else {
          throw e;
        }
      }
    }
  }

  /** Count and maybe log the conflict, then wait (heartbeating) before the batch is applied again. */
  private async afterConflict(batch: ConsumedBatch, conflict: TransactionConflict, inARow: number, error: unknown): Promise<void> {
    const { metrics, pause, conflictBackoff, logger, onConflict } = this.parts;
    metrics.conflicted(conflict);
    const delay = backoffDelay(inARow, conflictBackoff);
    const where = `${batch.topic}[${batch.partition}]@${batch.messages[0].offset}`;
    const description = `batch ${where} rolled back after a ${conflict} (${inARow} in a row: ${(error as Error).message.slice(0, 300)})`;
    onConflict(description);
    if (inARow === 1 || inARow % LOG_CONFLICT_EVERY === 0) logger.warn(`${description}; applied again in ${delay} ms`);
    await pause.wait(delay, batch);
  }

  private async applyOnce(batch: ConsumedBatch, { withSavepoints, expectNewIds }: ApplyMode): Promise<BatchOutcome> {
    const { topic, partition } = batch;
    const { store, dataSource } = this.deps;
    const { consumer, preparer, invoker, retrier, deadLetterer, metrics } = this.parts;
    const name = this.definition.options.name;
    const qr = dataSource.createQueryRunner();
    try {
      await qr.connect();
      await qr.startTransaction();
      const checkpoint = await store.lockCheckpoint(qr, name, topic, partition);
      const pending = aboveCheckpoint(batch.messages, checkpoint);
      const last = BigInt(batch.messages[batch.messages.length - 1].offset);
      let duplicates = batch.messages.length - pending.length;
      if (pending.length === 0) {
        await qr.commitTransaction();
        return { lastOffset: last, applied: 0, duplicates };
      }
      if (checkpoint === null && !consumer.isRewound(topic, partition) && BigInt(pending[0].offset) > (await consumer.lowWatermark(topic, partition))) {
        // No checkpoint but we read from the middle: the projection was reset (rebuild, maybe on another
        // instance) while we held this partition. Start it over from the earliest offset.
        await qr.rollbackTransaction();
        await consumer.rewind(topic, partition);
        return { lastOffset: null, applied: 0, duplicates: 0 };
      }
      const prepared = pending.map((m) => preparer.prepare(m));
      const applicable: PreparedMessage[] = [];
      const deadLetters: PreparedMessage[] = [];
      // Every event id is handled once, applied or dead-lettered: a message whose id is known is
      // a duplicate even when this copy would fail (the inbox decides before the failure counts).
      const candidates = new Map<string, PreparedMessage>();
      for (const item of prepared) {
        if (!item.envelope) deadLetters.push(item); // undecodable: no id to deduplicate on
        else if (!item.route && !item.failure) continue; // unknown type, ignored by policy
        else {
          const id = item.envelope.eventId;
          const earlier = candidates.get(id);
          duplicates += earlier ? 1 : 0;
          // Two copies in one batch: a replayed one wins (a plain one would be skipped as dead-lettered).
          if (!earlier || (!isReplayedCopy(earlier) && isReplayedCopy(item))) candidates.set(id, item);
        }
      }
      // Claim the event ids in the inbox before applying: the ones it already held are duplicates,
      // except dead-lettered ones that come back as a replayed copy (released here, then claimed).
      let claimed: Set<string> | 'all' = new Set<string>();
      if (candidates.size > 0) {
        const replayed: string[] = [];
        const entries: InboxEntry[] = [];
        for (const item of candidates.values()) {
          if (isReplayedCopy(item)) replayed.push(item.envelope!.eventId);
          entries.push(inboxEntryOf(item, topic, partition));
        }
        if (replayed.length > 0) await store.releaseDeadLettered(qr, name, replayed);
        const fresh = expectNewIds ? await store.claimNewEventIds(qr, name, entries) : await store.claimEventIds(qr, name, entries);
        if (fresh === null) throw new InboxConflictError();
        claimed = fresh;
      }
      for (const [eventId, item] of candidates) {
        if (claimed !== 'all' && !claimed.has(eventId)) duplicates++;
        else if (item.failure) deadLetters.push(item);
        else {
          item.context = preparer.contextOf(qr.manager, topic, partition, item);
          applicable.push(item);
        }
      }
      const applied: PreparedMessage[] = [];
      let lastHeartbeat = Date.now();
      for (const run of runsOf(applicable)) {
        if (Date.now() - lastHeartbeat > HEARTBEAT_EVERY_MS) {
          await batch.heartbeat();
          lastHeartbeat = Date.now();
        }
        if (withSavepoints) {
          await retrier.apply(qr, run, applied, deadLetters, batch);
          continue;
        }
        try {
          await invoker.invoke(qr.manager, run);
        } catch (e) {
          throw new HandlerFailureError(e);
        }
        applied.push(...run);
      }
      deadLetters.sort((a, b) => Number(BigInt(a.message.offset) - BigInt(b.message.offset)));
      if (deadLetters.length > 0) await deadLetterer.send(batch, deadLetters);
      // Dead-lettered events keep their claimed ids, marked: a plain copy is then a duplicate.
      const dead = deadLetters.flatMap((d) => (d.envelope && (claimed === 'all' || claimed.has(d.envelope.eventId)) ? [d.envelope.eventId] : []));
      if (dead.length > 0) await store.markDeadLettered(qr, name, dead);
      await store.saveCheckpoint(qr, name, topic, partition, last);
      await qr.commitTransaction();
      metrics.applied(applied);
      consumer.settled(topic, partition);
      return { lastOffset: last, applied: applied.length, duplicates };
    } catch (e) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw e;
    } finally {
      await qr.release();
    }
  }
}
