import { Logger } from '@nestjs/common';
import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
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
  /** Called when the consumer crashed; `restarting` says whether kafkajs restarts it. */
  onCrash?(error: Error, restarting: boolean): void;
  /** Extra kafkajs consumer config. @default {} */
  consumerConfig?: Partial<ConsumerConfig>;
}

/**
 * Wraps a kafkajs consumer: subscribes, runs `eachBatch` with manual offset control, calls a hook
 * on each assignment (to seek to offsets stored elsewhere), and leaves the group on `stop()`.
 */
export class KafkaConsumerRunner {
  private readonly logger: Logger;
  readonly consumer: Consumer;
  private running = false;
  private stopping?: Promise<void>;
  private assignmentReady: Promise<void> = Promise.resolve();
  private readonly removers: Array<() => void> = [];

  constructor(
    kafka: Kafka,
    private readonly options: ConsumerRunnerOptions,
    private readonly connectTimeoutMs: number,
    private readonly onStopped: (runner: KafkaConsumerRunner) => void = () => undefined,
  ) {
    this.logger = new Logger(`KafkaConsumer:${options.groupId}`);
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeout ?? 30_000,
      heartbeatInterval: options.heartbeatInterval ?? 3_000,
      rebalanceTimeout: options.rebalanceTimeout ?? 60_000,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 100,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      allowAutoTopicCreation: false,
      ...options.consumerConfig,
    });
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.removers.push(
      this.consumer.on(GROUP_JOIN, (event) => {
        const assignment = event.payload.memberAssignment as PartitionAssignment;
        if (this.options.onAssigned) {
          // Batches wait for this promise, so a seek done by the hook lands before processing.
          this.assignmentReady = Promise.resolve(this.options.onAssigned(assignment)).catch((e) => {
            this.logger.error(`onAssigned hook failed: ${(e as Error).message}`);
            throw e;
          });
        }
      }),
      this.consumer.on(CRASH, (event) => {
        const { error, restart } = event.payload;
        this.logger.error(`consumer crashed (${restart ? 'restarting' : 'not restarting'}): ${error.message}`);
        this.options.onCrash?.(error, restart);
      }),
    );
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Connect, subscribe and start fetching. Resolves once the consumer runs (not when it has joined). */
  async start(): Promise<void> {
    if (this.running) return;
    await withTimeout(
      this.consumer.connect(),
      this.connectTimeoutMs,
      () => new Error(`consumer ${this.options.groupId} could not connect within ${this.connectTimeoutMs} ms`),
    );
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? false });
    this.running = true;
    await this.consumer.run({
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

  /** Move the next fetch of a partition to `offset` (only while running). */
  seek(topic: string, partition: number, offset: string): void {
    this.consumer.seek({ topic, partition, offset });
  }

  pause(topics: string[]): void {
    this.consumer.pause(topics.map((topic) => ({ topic })));
  }

  resume(topics: string[]): void {
    this.consumer.resume(topics.map((topic) => ({ topic })));
  }

  /** Stop fetching, commit what is resolved (when autoCommit is on) and leave the group. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.running = false;
      for (const remove of this.removers) remove();
      try {
        await this.consumer.disconnect();
      } catch (e) {
        this.logger.warn(`disconnect failed: ${(e as Error).message}`);
      } finally {
        this.onStopped(this);
      }
    })();
    return this.stopping;
  }
}
