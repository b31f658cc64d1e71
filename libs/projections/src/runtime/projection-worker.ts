import { Logger } from '@nestjs/common';
import {
  decodeEnvelope,
  headersToStrings,
  InvalidIntegrationEventException,
  materializeIntegrationEvent,
  MessageDecodeException,
  type ConsumedBatch,
  type EventEnvelope,
  type KafkaClient,
  type KafkaConsumerRunner,
  type PartitionAssignment,
} from '@tributary/kafka';
import type { KafkaMessage } from 'kafkajs';
import { getMetadataStorage } from 'class-validator';
import type { DataSource, QueryRunner } from 'typeorm';
import { HandlerFailureError } from '../errors/handler-failure.error';
import { InboxConflictError } from '../errors/inbox-conflict.error';
import { ProjectionHaltedException } from '../exceptions/projection-halted.exception';
import { UpcastException } from '../exceptions/upcast.exception';
import type { ProjectionContext } from '../interfaces/projection-context.interface';
import { ProjectionFailurePolicy, UnknownEventPolicy, type ProjectionState } from '../interfaces/projection-policies.enum';
import type { ProjectionPartitionStatus, ProjectionStatus } from '../interfaces/projection-status.interface';
import type { InboxEntry, ProjectionStore } from '../persistence/projection-store';
import type { ResolvedProjectionsOptions } from '../projections-options.validator';
import { DeadLetterHeaders } from '../projections.constants';
import type { ProjectionMetrics, ProjectionMetricsRecorder } from '../observability/projection-metrics';
import type { PreparedMessage } from './prepared-message';
import type { ProjectionDefinition } from './projection-definition';
import { ProjectionHandlerInvoker } from './projection-handler-invoker';
import { RateMeter } from './rate-meter';
import type { TransactionGate } from './transaction-gate';

/** What the worker needs from the app. */
export interface ProjectionWorkerDeps {
  kafka: KafkaClient;
  dataSource: DataSource;
  store: ProjectionStore;
  options: ResolvedProjectionsOptions;
  /** Shared by the projections of one DataSource. */
  transactions: TransactionGate;
  metrics: ProjectionMetrics;
}

function inboxEntryOf(item: PreparedMessage, topic: string, partition: number): InboxEntry {
  return { eventId: item.envelope!.eventId, topic, partition, offset: item.message.offset };
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

/** How a batch is applied: the first try expects new event ids and no handler failure. */
interface ApplyMode {
  /** A savepoint per event (per run for `@OnBatch`): after a handler failed. */
  withSavepoints: boolean;
  /** Record the event ids with the store's cheaper insert that fails on a known id. */
  expectNewIds: boolean;
}

/** Batches of a projection that claim ids with the skipping insert after a duplicate was met. */
const BATCHES_AFTER_INBOX_CONFLICT = 20;

interface BatchOutcome {
  /** Highest offset the projection is now done with, or null when the batch must be fetched again. */
  lastOffset: bigint | null;
  applied: number;
  /** Deliveries skipped: below the checkpoint or already in the inbox. */
  duplicates: number;
}

const validationRules = new WeakMap<object, boolean>();
/**
 * Whether class-validator holds any rule for an event class. Validating an instance of a class
 * without rules finds nothing but still walks the metadata (a few microseconds per event), so
 * such classes skip it. Looked up once per class: decorators have run by the time events arrive.
 */
function hasValidationRules(eventClass: new (...args: any[]) => object): boolean {
  let has = validationRules.get(eventClass);
  if (has === undefined) {
    has = getMetadataStorage().getTargetValidationMetadatas(eventClass, '', true, false).length > 0;
    validationRules.set(eventClass, has);
  }
  return has;
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HEARTBEAT_EVERY_MS = 1000;
const TOPIC_CHECK_EVERY_MS = 2000;

/**
 * Runs one projection on this instance: a consumer group member whose batches are applied in one
 * database transaction each (read model + inbox + checkpoint), with dead letters, upcasting and
 * rebuild. Exactly-once in effect rests on the checkpoint row lock, not on Kafka's offsets.
 */
export class ProjectionWorker {
  private readonly logger: Logger;
  state: ProjectionState = 'idle';
  applied = 0;
  duplicates = 0;
  deadLettered = 0;
  lastError?: string;
  /** When this instance received its first batch since the projection (re)started. */
  firstBatchAt?: Date;
  readonly rate = new RateMeter();
  /** Rebuild progress (0..1) while `rebuilding`, kept up to date by the service's progress ticks. */
  rebuildRatio = 1;
  private readonly metrics: ProjectionMetricsRecorder;
  private readonly invoker: ProjectionHandlerInvoker;
  private runner?: KafkaConsumerRunner;
  private topicWait?: NodeJS.Timeout;
  /** Batches left that claim event ids with the insert that skips known ids (after a duplicate). */
  private batchesToDedupe = 0;
  /** Partitions positioned at their earliest offset on purpose while they have no checkpoint. */
  private readonly rewound = new Set<string>();

  constructor(
    readonly definition: ProjectionDefinition,
    private readonly deps: ProjectionWorkerDeps,
  ) {
    this.logger = new Logger(`Projection:${definition.options.name}`);
    this.metrics = deps.metrics.recorder(definition.options.name);
    this.invoker = new ProjectionHandlerInvoker(definition, this.metrics, this.logger);
  }

  get name(): string {
    return this.definition.options.name;
  }

  /** Join the consumer group and start applying. */
  async start(state: ProjectionState = 'starting'): Promise<void> {
    if (this.runner || this.topicWait) return;
    // Subscribing to a topic that does not exist fails; the publisher owns its topics, so wait.
    const missing = await this.missingTopics();
    if (missing.length > 0) {
      this.state = 'waiting-for-topics';
      this.logger.warn(`waiting for topic(s) ${missing.join(', ')} to be created by their publisher; checking every ${TOPIC_CHECK_EVERY_MS} ms`);
      this.waitForTopics(state);
      return;
    }
    this.state = state;
    this.lastError = undefined;
    this.firstBatchAt = undefined;
    const { consumer } = this.deps.options;
    this.runner = this.deps.kafka.createConsumer({
      groupId: this.definition.options.groupId,
      topics: this.definition.topics,
      fromBeginning: true,
      autoCommit: false,
      sessionTimeout: consumer.sessionTimeout,
      heartbeatInterval: consumer.heartbeatInterval,
      maxWaitTimeInMs: consumer.maxWaitTimeInMs,
      maxBytesPerPartition: consumer.maxBytesPerPartition,
      partitionsConsumedConcurrently: consumer.partitionsConsumedConcurrently,
      onAssigned: (assignment) => this.onAssigned(assignment),
      eachBatch: (batch) => this.handleBatch(batch),
      onCrash: (error, restarting) => {
        this.lastError = error.message;
        if (restarting) return;
        // Nobody restarts this consumer (the runner restarts crashed consumers unless it is stopping):
        // release it so `start(name)` can begin again.
        this.state = 'failed';
        void this.stop('failed');
      },
    });
    await this.runner.start();
  }

  private async missingTopics(): Promise<string[]> {
    const admin = await this.deps.kafka.admin.client();
    const existing = new Set(await admin.listTopics());
    return this.definition.topics.filter((t) => !existing.has(t));
  }

  private waitForTopics(state: ProjectionState): void {
    this.topicWait = setTimeout(() => {
      void (async () => {
        let missing: string[];
        try {
          missing = await this.missingTopics();
        } catch (e) {
          this.lastError = (e as Error).message;
          missing = this.definition.topics;
        }
        if (!this.topicWait) return; // stopped meanwhile
        if (missing.length > 0) return this.waitForTopics(state);
        this.topicWait = undefined;
        await this.start(state).catch((e: Error) => {
          this.lastError = e.message;
          this.state = 'failed';
          this.logger.error(`could not start: ${e.message}`);
        });
      })();
    }, TOPIC_CHECK_EVERY_MS);
  }

  /** Leave the group (after the batch in progress). */
  async stop(state: ProjectionState = 'stopped'): Promise<void> {
    clearTimeout(this.topicWait);
    this.topicWait = undefined;
    const runner = this.runner;
    this.runner = undefined;
    await runner?.stop();
    if (this.state !== 'failed') this.state = state;
  }

  /**
   * Empty the projection's tables, checkpoints and inbox in one transaction, then consume again
   * from the earliest offsets. The state stays `rebuilding` until `markCaughtUp`.
   */
  async resetAndReplay(): Promise<void> {
    await this.stop('rebuilding');
    this.state = 'rebuilding';
    await this.deps.transactions(async () => {
      const qr = this.deps.dataSource.createQueryRunner();
      try {
        await qr.connect();
        await qr.startTransaction();
        await this.deps.store.reset(qr, this.name, this.definition.tables);
        await qr.commitTransaction();
      } catch (e) {
        if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
        this.state = 'failed';
        this.lastError = (e as Error).message;
        throw e;
      } finally {
        await qr.release();
      }
    });
    this.rewound.clear();
    await this.start('rebuilding');
  }

  markCaughtUp(): void {
    if (this.state === 'rebuilding') this.state = 'running';
  }

  /** Checkpoints against the high watermarks of every partition of the projection's topics. */
  async partitions(): Promise<ProjectionPartitionStatus[]> {
    const checkpoints = await this.deps.store.readCheckpoints(this.deps.dataSource, this.name);
    const byPartition = new Map(checkpoints.map((c) => [partitionKey(c.topic, c.partition), c.offset]));
    const out: ProjectionPartitionStatus[] = [];
    for (const topic of this.definition.topics) {
      const [highs, lows] = await Promise.all([
        this.deps.kafka.admin.highWatermarks(topic),
        this.deps.kafka.admin.lowWatermarks(topic),
      ]);
      for (const [partition, high] of [...highs.entries()].sort((a, b) => a[0] - b[0])) {
        const checkpoint = byPartition.get(partitionKey(topic, partition));
        const low = lows.get(partition) ?? 0n;
        const next = checkpoint === undefined || checkpoint + 1n < low ? low : checkpoint + 1n;
        const lag = high > next ? Number(high - next) : 0;
        out.push({
          topic,
          partition,
          checkpoint: checkpoint?.toString() ?? null,
          position: next.toString(),
          lowWatermark: low.toString(),
          highWatermark: high.toString(),
          lag,
        });
      }
    }
    return out;
  }

  async status(): Promise<ProjectionStatus> {
    const partitions = await this.partitions();
    return {
      name: this.name,
      state: this.state,
      groupId: this.definition.options.groupId,
      topics: this.definition.topics,
      partitions,
      lag: partitions.reduce((sum, p) => sum + p.lag, 0),
      applied: this.applied,
      duplicates: this.duplicates,
      deadLettered: this.deadLettered,
      eventsPerSecond: this.rate.perSecond(),
      consumingSince: this.firstBatchAt?.toISOString() ?? null,
      lastError: this.lastError,
    };
  }

  /**
   * Seek every assigned partition to its stored checkpoint, or to its earliest offset when it has
   * none. Only an optimisation: if this fails, the checks inside each batch's transaction still
   * skip what was applied and rewind a partition read from the middle, so it logs and returns.
   */
  private async onAssigned(assignment: PartitionAssignment): Promise<void> {
    const runner = this.runner;
    if (!runner) return;
    try {
      const checkpoints = await this.deps.store.readCheckpoints(this.deps.dataSource, this.name);
      const stored = new Map(checkpoints.map((c) => [partitionKey(c.topic, c.partition), c.offset]));
      for (const [topic, partitions] of Object.entries(assignment)) {
        for (const partition of partitions) {
          const key = partitionKey(topic, partition);
          const checkpoint = stored.get(key);
          if (checkpoint !== undefined) {
            runner.seek(topic, partition, (checkpoint + 1n).toString());
          } else {
            runner.seek(topic, partition, (await this.lowWatermark(topic, partition)).toString());
            this.rewound.add(key);
          }
        }
      }
    } catch (e) {
      this.logger.warn(`could not seek to the stored checkpoints (batches check them anyway): ${(e as Error).message}`);
    }
    if (this.state === 'starting') this.state = 'running';
  }

  private async lowWatermark(topic: string, partition: number): Promise<bigint> {
    const lows = await this.deps.kafka.admin.lowWatermarks(topic);
    return lows.get(partition) ?? 0n;
  }

  private async handleBatch(batch: ConsumedBatch): Promise<void> {
    // A stale batch was fetched before a seek (assignment, rewind): the seek decides where to read.
    if (this.state === 'failed' || !batch.isRunning() || batch.isStale() || batch.messages.length === 0) return;
    this.firstBatchAt ??= new Date();
    let outcome: BatchOutcome;
    try {
      let mode: ApplyMode = { withSavepoints: false, expectNewIds: this.batchesToDedupe === 0 };
      if (this.batchesToDedupe > 0) this.batchesToDedupe--;
      for (;;) {
        try {
          outcome = await this.applyBatch(batch, mode);
          break;
        } catch (e) {
          if (e instanceof InboxConflictError && mode.expectNewIds) {
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
    } catch (e) {
      if (e instanceof ProjectionHaltedException) {
        this.state = 'failed';
        this.lastError = e.message;
        this.logger.error(e.message);
        // Not awaited: leaving the group waits for this very batch to return.
        void this.stop('failed');
        return;
      }
      // A short error for kafkajs to log (driver errors carry the whole statement); it retries the batch.
      const detail = (e as { driverError?: { detail?: string } }).driverError?.detail ?? (e as Error).message;
      this.lastError = `batch ${batch.topic}[${batch.partition}]@${batch.messages[0].offset} not applied (it will be retried): ${detail.slice(0, 500)}`;
      throw new Error(this.lastError);
    }
    if (outcome.lastOffset === null) return;
    this.applied += outcome.applied;
    this.duplicates += outcome.duplicates;
    this.rate.add(outcome.applied);
    batch.resolveOffset(outcome.lastOffset.toString());
    // Kafka's committed offset is only a hint (the checkpoint decides); losing it costs a re-read, not a re-apply.
    await this.runner?.consumer
      .commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (outcome.lastOffset + 1n).toString() }])
      .catch((e: Error) => this.logger.debug(`offset hint not committed: ${e.message}`));
  }

  /** One transaction: lock the checkpoint, apply what is above it and not in the inbox, record both. */
  private applyBatch(batch: ConsumedBatch, mode: ApplyMode): Promise<BatchOutcome> {
    return this.deps.transactions(() => this.applyBatchNow(batch, mode));
  }

  private async applyBatchNow(batch: ConsumedBatch, { withSavepoints, expectNewIds }: ApplyMode): Promise<BatchOutcome> {
    const { topic, partition } = batch;
    const { store, dataSource } = this.deps;
    const qr = dataSource.createQueryRunner();
    try {
      await qr.connect();
      await qr.startTransaction();
      const checkpoint = await store.lockCheckpoint(qr, this.name, topic, partition);
      const pending = batch.messages.filter((m) => checkpoint === null || BigInt(m.offset) > checkpoint);
      const last = BigInt(batch.messages[batch.messages.length - 1].offset);
      let duplicates = batch.messages.length - pending.length;
      if (pending.length === 0) {
        await qr.commitTransaction();
        return { lastOffset: last, applied: 0, duplicates };
      }
      const key = partitionKey(topic, partition);
      if (checkpoint === null && !this.rewound.has(key) && BigInt(pending[0].offset) > (await this.lowWatermark(topic, partition))) {
        // No checkpoint but we read from the middle: the projection was reset (rebuild, maybe on another
        // instance) while we held this partition. Start it over from the earliest offset.
        await qr.rollbackTransaction();
        this.rewound.add(key);
        this.runner?.seek(topic, partition, (await this.lowWatermark(topic, partition)).toString());
        return { lastOffset: null, applied: 0, duplicates: 0 };
      }
      const prepared = pending.map((m) => this.prepare(m));
      const applicable: PreparedMessage[] = [];
      const deadLetters: PreparedMessage[] = [];
      const candidates = new Map<string, PreparedMessage>();
      for (const item of prepared) {
        if (item.failure) deadLetters.push(item);
        else if (!item.route) continue; // unknown type, ignored by policy
        else if (candidates.has(item.envelope!.eventId)) duplicates++;
        else candidates.set(item.envelope!.eventId, item);
      }
      // Claim the event ids in the inbox before applying: the ones it already held are duplicates.
      let claimed = new Set<string>();
      if (candidates.size > 0) {
        const entries = [...candidates.values()].map((item) => inboxEntryOf(item, topic, partition));
        const fresh = expectNewIds ? await store.claimNewEventIds(qr, this.name, entries) : await store.claimEventIds(qr, this.name, entries);
        if (fresh === null) throw new InboxConflictError();
        claimed = fresh;
      }
      for (const [eventId, item] of candidates) {
        if (!claimed.has(eventId)) {
          duplicates++;
          continue;
        }
        item.context = this.contextOf(qr, topic, partition, item);
        applicable.push(item);
      }
      const applied: PreparedMessage[] = [];
      let lastHeartbeat = Date.now();
      for (const run of runsOf(applicable)) {
        if (Date.now() - lastHeartbeat > HEARTBEAT_EVERY_MS) {
          await batch.heartbeat();
          lastHeartbeat = Date.now();
        }
        if (withSavepoints) {
          await this.applyIsolated(qr, run, applied, deadLetters);
          continue;
        }
        try {
          await this.invoker.invoke(qr.manager, run);
        } catch (e) {
          throw new HandlerFailureError(e);
        }
        applied.push(...run);
      }
      deadLetters.sort((a, b) => Number(BigInt(a.message.offset) - BigInt(b.message.offset)));
      if (deadLetters.length > 0) await this.deadLetter(batch, deadLetters);
      // Dead-lettered events were claimed but not applied: give their ids back.
      const unapplied = deadLetters.flatMap((d) => (d.envelope && claimed.has(d.envelope.eventId) ? [d.envelope.eventId] : []));
      if (unapplied.length > 0) await store.releaseEventIds(qr, this.name, unapplied);
      await store.saveCheckpoint(qr, this.name, topic, partition, last);
      await qr.commitTransaction();
      this.metrics.applied(applied);
      this.rewound.delete(key);
      return { lastOffset: last, applied: applied.length, duplicates };
    } catch (e) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw e;
    } finally {
      await qr.release();
    }
  }

  /**
   * Apply a run inside a savepoint. When it fails, undo it and apply its halves the same way, down
   * to single events, which get `maxAttempts` tries before they are dead-lettered: only the failing
   * event's writes are lost.
   */
  private async applyIsolated(qr: QueryRunner, run: PreparedMessage[], applied: PreparedMessage[], deadLetters: PreparedMessage[]): Promise<void> {
    if (run.length === 1) {
      const failure = await this.applyWithRetries(qr, run[0]);
      if (failure) deadLetters.push({ ...run[0], failure });
      else applied.push(run[0]);
      return;
    }
    if ((await this.inSavepoint(qr, run)) === undefined) {
      applied.push(...run);
      return;
    }
    const middle = Math.ceil(run.length / 2);
    await this.applyIsolated(qr, run.slice(0, middle), applied, deadLetters);
    await this.applyIsolated(qr, run.slice(middle), applied, deadLetters);
  }

  /** Run one event's handler up to `maxAttempts` times, each in a savepoint; returns the failure when it never succeeds. */
  private async applyWithRetries(qr: QueryRunner, item: PreparedMessage): Promise<PreparedMessage['failure']> {
    const { maxAttempts } = this.definition.options;
    const context = item.context!;
    let error = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const failure = await this.inSavepoint(qr, [item]);
      if (failure === undefined) return undefined;
      error = failure instanceof Error ? failure.message : String(failure);
      this.logger.warn(`${item.route!.handlerName} failed on ${context.topic}[${context.partition}]@${context.offset} (attempt ${attempt}/${maxAttempts}): ${error}`);
      if (attempt < maxAttempts) await sleep(this.deps.options.retryBackoffMs * 2 ** (attempt - 1));
    }
    return { reason: 'handler-failed', error, attempts: maxAttempts };
  }

  /** Invoke the handler of a run inside a savepoint; returns what it threw (its writes undone), or undefined. */
  private async inSavepoint(qr: QueryRunner, run: PreparedMessage[]): Promise<unknown> {
    await qr.query('SAVEPOINT tributary_event');
    try {
      await this.invoker.invoke(qr.manager, run);
      await qr.query('RELEASE SAVEPOINT tributary_event');
      return undefined;
    } catch (e) {
      await qr.query('ROLLBACK TO SAVEPOINT tributary_event');
      await qr.query('RELEASE SAVEPOINT tributary_event');
      return e ?? new Error('handler threw nothing');
    }
  }

  private contextOf(qr: QueryRunner, topic: string, partition: number, item: PreparedMessage): ProjectionContext {
    const envelope = item.envelope!;
    const raw = item.message.headers;
    let headers: Record<string, string> | undefined;
    return {
      manager: qr.manager,
      projection: this.name,
      topic,
      partition,
      offset: item.message.offset,
      key: envelope.key,
      eventId: envelope.eventId,
      type: envelope.type,
      version: envelope.version,
      occurredAt: envelope.occurredAt,
      // Decoded on first read: most handlers never look at the raw headers.
      get headers() {
        headers ??= headersToStrings(raw);
        return headers;
      },
    };
  }

  /** Decode, route, upcast and validate one message (no I/O). */
  private prepare(message: KafkaMessage): PreparedMessage {
    let envelope: EventEnvelope;
    try {
      envelope = decodeEnvelope(message);
    } catch (e) {
      if (e instanceof MessageDecodeException) return { message, failure: { reason: 'undecodable', error: e.message, attempts: 0 } };
      throw e;
    }
    const route = this.definition.routes.get(envelope.type);
    if (!route) {
      if (this.definition.options.unknownEventPolicy === UnknownEventPolicy.DeadLetter) {
        return { message, envelope, failure: { reason: 'unknown-type', error: `no handler for event type "${envelope.type}"`, attempts: 0 } };
      }
      return { message, envelope };
    }
    const payload = envelope.payload;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      return { message, envelope, route, failure: { reason: 'invalid', error: `payload of "${envelope.type}" is not a JSON object`, attempts: 0 } };
    }
    try {
      const current =
        route.version === undefined
          ? (payload as Record<string, unknown>)
          : this.definition.upcasters.upcast(envelope.type, payload as Record<string, unknown>, envelope.version, route.version);
      const event = route.eventClass ? materializeIntegrationEvent(route.eventClass, current, { validate: hasValidationRules(route.eventClass) }) : current;
      return { message, envelope, route, event };
    } catch (e) {
      if (e instanceof UpcastException) return { message, envelope, route, failure: { reason: 'unsupported-version', error: e.message, attempts: 0 } };
      if (e instanceof InvalidIntegrationEventException) return { message, envelope, route, failure: { reason: 'invalid', error: e.message, attempts: 0 } };
      throw e;
    }
  }

  /**
   * Send poison messages to the dead-letter topic before the transaction commits: a crash in
   * between re-sends them (a duplicate dead letter) but never loses one. With the Stop policy the
   * batch is rolled back instead and the projection halts.
   */
  private async deadLetter(batch: ConsumedBatch, items: PreparedMessage[]): Promise<void> {
    const first = items[0];
    if (this.definition.options.failurePolicy === ProjectionFailurePolicy.Stop) {
      throw new ProjectionHaltedException(this.name, first.failure!.reason, batch.topic, batch.partition, first.message.offset, first.failure!.error);
    }
    const dlqTopic = this.definition.options.deadLetterTopic(batch.topic);
    const failedAt = new Date().toISOString();
    const producer = await this.deps.kafka.producer();
    await producer.send({
      topic: dlqTopic,
      messages: items.map(({ message, failure }) => ({
        key: message.key,
        value: message.value,
        headers: {
          ...(message.headers ?? {}),
          [DeadLetterHeaders.REASON]: failure!.reason,
          [DeadLetterHeaders.ERROR]: failure!.error.slice(0, 2000),
          [DeadLetterHeaders.ORIGIN_TOPIC]: batch.topic,
          [DeadLetterHeaders.ORIGIN_PARTITION]: String(batch.partition),
          [DeadLetterHeaders.ORIGIN_OFFSET]: message.offset,
          [DeadLetterHeaders.PROJECTION]: this.name,
          [DeadLetterHeaders.ATTEMPTS]: String(failure!.attempts),
          [DeadLetterHeaders.FAILED_AT]: failedAt,
        },
      })),
    });
    this.deadLettered += items.length;
    for (const { message, failure } of items) {
      this.metrics.deadLettered(failure!.reason);
      this.logger.warn(`dead-lettered ${batch.topic}[${batch.partition}]@${message.offset} to ${dlqTopic} (${failure!.reason}): ${failure!.error}`);
    }
  }
}
