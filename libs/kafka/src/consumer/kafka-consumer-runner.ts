import { Logger } from '@nestjs/common';
import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Counter } from 'prom-client';
import { backoffDelay } from '../backoff';
import { MetricLabels } from '../observability/messaging-attributes';
import type { TributaryMetrics } from '../observability/tributary-metrics';
import { withTimeout } from '../with-timeout';

/** Partitions of each topic given to this consumer by the group. */
export type PartitionAssignment = Record<string, number[]>;

/** One fetched batch of one partition, with the offset controls of kafkajs. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  /** Messages in offset order. */
  messages: KafkaMessage[];
  /** High watermark of the partition when the batch was fetched. */
  highWatermark: string;
  /** Tell the group this member is alive; call it during long batches. */
  heartbeat(): Promise<void>;
  /** Mark `offset` as processed (the next fetch starts after it). */
  resolveOffset(offset: string): void;
  /** Commit resolved offsets to Kafka now (when `autoCommit` is off this is the only commit). */
  commitOffsetsIfNecessary(): Promise<void>;
  /** False once the consumer is stopping: leave the batch early. */
  isRunning(): boolean;
  /** True when the partition was revoked or seeked: the rest of the batch must not be processed. */
  isStale(): boolean;
  /** Pause this partition; returns a function that resumes it. */
  pause(): () => void;
}

/** Options of `KafkaClient.createConsumer`. */
export interface ConsumerRunnerOptions {
  /** Consumer group id. Instances with the same id share the partitions. */
  groupId: string;
  /** Topics (or patterns) to subscribe to. */
  topics: Array<string | RegExp>;
  /** Where a group with no committed offset starts. @default false (latest) */
  fromBeginning?: boolean;
  /**
   * Let kafkajs commit resolved offsets periodically. Turn it off when offsets are stored in your
   * own database and Kafka's committed offset is only a hint.
   * @default true
   */
  autoCommit?: boolean;
  /** Session timeout of the group member, ms. @default 30000 */
  sessionTimeout?: number;
  /** Heartbeat interval, ms. @default 3000 */
  heartbeatInterval?: number;
  /** Rebalance timeout, ms. @default 60000 */
  rebalanceTimeout?: number;
  /** Longest time the broker waits for `minBytes` before answering a fetch, ms. @default 100 */
  maxWaitTimeInMs?: number;
  /** Max bytes fetched per partition. @default 1048576 */
  maxBytesPerPartition?: number;
  /** How many partitions are processed at the same time. @default 1 */
  partitionsConsumedConcurrently?: number;
  /** Called for each fetched batch. A throw makes kafkajs retry the batch (then restart the consumer). */
  eachBatch(batch: ConsumedBatch): Promise<void>;
  /** Called after each (re)join with this member's partitions, before their first batch is handled. */
  onAssigned?(assignment: PartitionAssignment): Promise<void> | void;
  /** Called when the consumer crashed; `restarting` says whether it is started again. */
  onCrash?(error: Error, restarting: boolean): void;
  /**
   * Start the consumer again after a crash kafkajs gives up on (e.g. "Failed to find group
   * coordinator" after a broker restart, or an error thrown by `eachBatch`), with exponential
   * backoff from 1 s up to `maxRestartDelayMs`. Unresolved messages are fetched again.
   * @default true
   */
  restartOnCrash?: boolean;
  /** Longest pause between two restarts after crashes, ms. @default 30000 */
  maxRestartDelayMs?: number;
  /** Extra kafkajs consumer config. @default {} */
  consumerConfig?: Partial<ConsumerConfig>;
}

/**
 * Wraps a kafkajs consumer: subscribes, runs `eachBatch` with manual offset control, calls a hook
 * on each assignment (to seek to offsets stored elsewhere), and leaves the group on `stop()`.
 */
export class KafkaConsumerRunner {
  private readonly logger: Logger;
  private current: Consumer;
  private running = false;
  private stopping?: Promise<void>;
  private assignmentReady: Promise<void> = Promise.resolve();
  private removers: Array<() => void> = [];
  private restartTimer?: NodeJS.Timeout;
  private crashes = 0;
  private readonly rebalances?: Counter.Internal;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ConsumerRunnerOptions,
    private readonly connectTimeoutMs: number,
    private readonly onStopped: (runner: KafkaConsumerRunner) => void = () => undefined,
    metrics?: TributaryMetrics,
  ) {
    this.logger = new Logger(`KafkaConsumer:${options.groupId}`);
    this.rebalances = metrics
      ?.counter({
        name: 'tributary_kafka_consumer_rebalances_total',
        help: 'Group joins of this process\'s consumers (the first join and every rejoin after a rebalance), by consumer group.',
        labelNames: [MetricLabels.CONSUMER_GROUP],
      })
      .labels(options.groupId);
    this.current = this.createConsumer();
  }

  /** The kafkajs consumer in use (a new one replaces it after a crash restart). */
  get consumer(): Consumer {
    return this.current;
  }

  get isRunning(): boolean {
    return this.running;
  }

  private createConsumer(): Consumer {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeout ?? 30_000,
      heartbeatInterval: this.options.heartbeatInterval ?? 3_000,
      rebalanceTimeout: this.options.rebalanceTimeout ?? 60_000,
      maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 100,
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 1_048_576,
      allowAutoTopicCreation: false,
      ...this.options.consumerConfig,
    });
    const { GROUP_JOIN, CRASH, FETCH_START } = consumer.events;
    this.removers = [
      consumer.on(GROUP_JOIN, (event) => {
        this.rebalances?.inc();
        const assignment = event.payload.memberAssignment as PartitionAssignment;
        if (this.options.onAssigned) {
          // Batches wait for this promise, so a seek done by the hook lands before processing.
          const ready = Promise.resolve().then(() => this.options.onAssigned!(assignment));
          // Handled here (logged); the batch that awaits it fails and kafkajs retries it.
          ready.catch((e: unknown) => this.logger.error(`onAssigned hook failed: ${(e as Error).message}`));
          this.assignmentReady = ready;
        }
      }),
      consumer.on(FETCH_START, () => {
        this.crashes = 0;
      }),
      consumer.on(CRASH, (event) => {
        const { error, restart } = event.payload;
        const selfRestart = !restart && this.running && (this.options.restartOnCrash ?? true);
        this.logger.error(
          `consumer crashed (${restart ? 'kafkajs restarts it' : selfRestart ? 'restarting it' : 'not restarting'}): ${error.message}`,
        );
        this.options.onCrash?.(error, restart || selfRestart);
        if (selfRestart) this.scheduleRestart();
      }),
    ];
    return consumer;
  }

  /** Connect, subscribe and start fetching. Resolves once the consumer runs (not when it has joined). */
  async start(): Promise<void> {
    if (this.running) return;
    await this.run();
    this.running = true;
  }

  private async run(): Promise<void> {
    const consumer = this.current;
    await withTimeout(
      consumer.connect(),
      this.connectTimeoutMs,
      () => new Error(`consumer ${this.options.groupId} could not connect within ${this.connectTimeoutMs} ms`),
    );
    await consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? false });
    await consumer.run({
      autoCommit: this.options.autoCommit ?? true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async (payload: EachBatchPayload) => {
        await this.assignmentReady;
        const { batch } = payload;
        await this.options.eachBatch({
          topic: batch.topic,
          partition: batch.partition,
          messages: batch.messages,
          highWatermark: batch.highWatermark,
          heartbeat: payload.heartbeat,
          resolveOffset: payload.resolveOffset,
          commitOffsetsIfNecessary: () => payload.commitOffsetsIfNecessary(),
          isRunning: payload.isRunning,
          isStale: payload.isStale,
          pause: payload.pause,
        });
      },
    });
  }

  private scheduleRestart(): void {
    if (this.restartTimer) return;
    const maxMs = this.options.maxRestartDelayMs ?? 30_000;
    const delay = backoffDelay(++this.crashes, { initialMs: 1000, maxMs, multiplier: 2, jitter: 0.2 });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.running) return;
      void (async () => {
        const old = this.current;
        for (const remove of this.removers) remove();
        await old.disconnect().catch(() => undefined);
        if (!this.running) return;
        this.current = this.createConsumer();
        try {
          await this.run();
          this.logger.log('consumer restarted');
        } catch (e) {
          this.logger.error(`restart failed: ${(e as Error).message}`);
          await this.current.disconnect().catch(() => undefined);
          this.scheduleRestart();
        }
      })();
    }, delay);
  }

  /** Move the next fetch of a partition to `offset` (only while running). */
  seek(topic: string, partition: number, offset: string): void {
    this.current.seek({ topic, partition, offset });
  }

  pause(topics: string[]): void {
    this.current.pause(topics.map((topic) => ({ topic })));
  }

  resume(topics: string[]): void {
    this.current.resume(topics.map((topic) => ({ topic })));
  }

  /** Stop fetching, commit what is resolved (when autoCommit is on) and leave the group. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.running = false;
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      for (const remove of this.removers) remove();
      try {
        await this.current.disconnect();
      } catch (e) {
        this.logger.warn(`disconnect failed: ${(e as Error).message}`);
      } finally {
        this.onStopped(this);
      }
    })();
    return this.stopping;
  }
}
