import { Logger } from '@nestjs/common';
import { RateMeter, type ConsumedBatch } from '@tributary/kafka';
import { BatchAbortedError } from '../errors/batch-aborted.error';
import { ProjectionHaltedException } from '../exceptions/projection-halted.exception';
import type { ProjectionState } from '../interfaces/projection-policies.enum';
import type { ProjectionPartitionStatus, ProjectionStatus } from '../interfaces/projection-status.interface';
import { ProjectionBatchTransaction, type BatchOutcome } from './projection-batch-transaction';
import { ProjectionConsumer } from './projection-consumer';
import { HeartbeatPause } from './heartbeat-pause';
import { ProjectionDeadLetterer } from './projection-dead-letterer';
import type { ProjectionDefinition, ProjectionWorkerDeps } from './projection-definition';
import { ProjectionHandlerInvoker } from './projection-handler-invoker';
import { ProjectionInboxSweeper } from './projection-inbox-sweeper';
import { ProjectionMessagePreparer } from './projection-message-preparer';
import { ProjectionSavepointRetrier } from './projection-savepoint-retrier';
import { ProjectionStatusReader } from './projection-status-reader';

/**
 * Runs one projection on this instance: a consumer group member whose batches are applied in one
 * database transaction each (read model + inbox + checkpoint), with dead letters, upcasting and
 * rebuild. Exactly-once in effect rests on the checkpoint row lock, not on Kafka's offsets.
 *
 * It holds the projection's state and counters and builds the parts that do the work: the
 * consumer (group membership, positions), the batch transaction (with the message preparer, the
 * handler invoker that traces and measures, the savepoint retrier and the dead-letterer), the
 * status reader (checkpoints against watermarks) and the inbox's retention sweeper.
 */
export class ProjectionWorker {
  private readonly logger: Logger;
  state: ProjectionState = 'idle';
  applied = 0;
  duplicates = 0;
  lastError?: string;
  /** When this instance received its first batch since the projection (re)started. */
  firstBatchAt?: Date;
  readonly rate = new RateMeter();
  /** Rebuild progress (0..1) while `rebuilding`, kept up to date by the service's progress ticks. */
  rebuildRatio = 1;
  private readonly consumer: ProjectionConsumer;
  private readonly deadLetterer: ProjectionDeadLetterer;
  private readonly batches: ProjectionBatchTransaction;
  private readonly statusReader: ProjectionStatusReader;
  /** Deletes the projection's expired inbox rows; started and stopped with the module. */
  readonly inboxSweeper: ProjectionInboxSweeper;

  constructor(
    readonly definition: ProjectionDefinition,
    private readonly deps: ProjectionWorkerDeps,
  ) {
    const { name, maxAttempts } = definition.options;
    this.logger = new Logger(`Projection:${name}`);
    const metrics = deps.metrics.recorder(name);
    const invoker = new ProjectionHandlerInvoker(definition, metrics, this.logger);
    this.consumer = new ProjectionConsumer(
      definition,
      deps,
      {
        eachBatch: (batch) => this.handleBatch(batch),
        assigned: () => {
          if (this.state === 'starting') this.state = 'running';
        },
        waitingForTopics: () => {
          this.state = 'waiting-for-topics';
        },
        failed: (error, fatal) => this.failed(error, fatal),
      },
      this.logger,
    );
    this.deadLetterer = new ProjectionDeadLetterer(definition, deps.kafka, metrics, this.logger);
    // One heartbeating pause for handler retries and conflict retries; the same doubling, jittered
    // for conflicts so that two instances do not meet again in step.
    const pause = new HeartbeatPause(deps.options.consumer.heartbeatInterval);
    const backoff = { initialMs: deps.options.retryBackoffMs, maxMs: deps.options.retryBackoffMaxMs, multiplier: 2, jitter: 0 };
    this.batches = new ProjectionBatchTransaction(definition, deps, {
      consumer: this.consumer,
      preparer: new ProjectionMessagePreparer(definition),
      invoker,
      retrier: new ProjectionSavepointRetrier(invoker, maxAttempts, backoff, pause, this.logger),
      deadLetterer: this.deadLetterer,
      metrics,
      pause,
      conflictBackoff: { ...backoff, jitter: 0.5 },
      logger: this.logger,
      onConflict: (description) => {
        this.lastError = description;
      },
    });
    this.statusReader = new ProjectionStatusReader(definition, deps);
    this.inboxSweeper = new ProjectionInboxSweeper(definition, deps, this.logger);
  }

  get name(): string {
    return this.definition.options.name;
  }

  /** Messages this instance sent to the dead-letter topic. */
  get deadLettered(): number {
    return this.deadLetterer.sent;
  }

  /** Join the consumer group and start applying (once the source topics exist). */
  async start(state: ProjectionState = 'starting'): Promise<void> {
    await this.consumer.start(() => {
      this.state = state;
      this.lastError = undefined;
      this.firstBatchAt = undefined;
    });
  }

  /** Leave the group (after the batch in progress). */
  async stop(state: ProjectionState = 'stopped'): Promise<void> {
    await this.consumer.stop();
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
    this.consumer.forgetRewinds();
    await this.start('rebuilding');
  }

  markCaughtUp(): void {
    if (this.state === 'rebuilding') this.state = 'running';
  }

  /** Checkpoints against the high watermarks of every partition of the projection's topics. */
  partitions(): Promise<ProjectionPartitionStatus[]> {
    return this.statusReader.partitions();
  }

  status(): Promise<ProjectionStatus> {
    return this.statusReader.status({
      state: this.state,
      applied: this.applied,
      duplicates: this.duplicates,
      deadLettered: this.deadLettered,
      eventsPerSecond: this.rate.perSecond(),
      consumingSince: this.firstBatchAt?.toISOString() ?? null,
      lastError: this.lastError,
    });
  }

  private failed(error: Error, fatal: boolean): void {
    this.lastError = error.message;
    if (!fatal) return;
    this.state = 'failed';
    // Release the consumer so `start(name)` can begin again.
    void this.stop('failed');
  }

  private async handleBatch(batch: ConsumedBatch): Promise<void> {
    // A stale batch was fetched before a seek (assignment, rewind): the seek decides where to read.
    if (this.state === 'failed' || !batch.isRunning() || batch.isStale() || batch.messages.length === 0) return;
    this.firstBatchAt ??= new Date();
    let outcome: BatchOutcome;
    try {
      outcome = await this.batches.apply(batch);
    } catch (e) {
      if (e instanceof BatchAbortedError) {
        this.logger.log(`batch ${batch.topic}[${batch.partition}]@${batch.messages[0].offset} left unfinished (${e.message}); it is applied again from the checkpoint`);
        return;
      }
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
    this.consumer.commitHint(batch.topic, batch.partition, outcome.lastOffset + 1n);
  }
}
