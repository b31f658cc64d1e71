import type { ConsumedBatch, KafkaClient, KafkaConsumerRunner } from '@tributary/kafka';
import type { KafkaMessage } from 'kafkajs';
import type { ResolvedDynamicConfigOptions } from '../dynamic-config-options';

/** Position of a record on the topic. */
export interface RecordPosition {
  partition: number;
  offset: bigint;
}

interface ApplyWaiter {
  partition: number;
  offset: bigint;
  resolve: (applied: boolean) => void;
  timer: NodeJS.Timeout;
}

/**
 * Reads the whole configuration topic from the beginning on every start (a consumer group of this
 * instance alone, offsets never committed) and keeps following it. Caught up once every partition
 * is read to the high watermark it had at start.
 */
export class ConfigTopicReader {
  private consumer?: KafkaConsumerRunner;
  private pending = new Map<number, bigint>();
  private readonly applied = new Map<number, bigint>();
  private waiters: ApplyWaiter[] = [];
  private markCaughtUp!: () => void;
  /** Resolves once the topic is read up to where it was at start. */
  readonly caughtUp: Promise<void> = new Promise((resolve) => (this.markCaughtUp = resolve));

  constructor(
    private readonly kafka: KafkaClient,
    private readonly options: ResolvedDynamicConfigOptions,
    private readonly onRecord: (message: KafkaMessage, position: RecordPosition) => void,
  ) {}

  async start(): Promise<void> {
    const { topic, partitions, service, instanceId, maxWaitTimeInMs } = this.options;
    await this.kafka.admin.ensureTopics([{ topic, numPartitions: partitions, compacted: true }]);
    const watermarks = await this.kafka.admin.highWatermarks(topic);
    this.pending = new Map([...watermarks].filter(([, high]) => high > 0n));
    if (this.pending.size === 0) this.markCaughtUp();
    this.consumer = this.kafka.createConsumer({
      // A group of its own (never committed): every instance reads every record, from the start, each time.
      groupId: `tributary.config.${service}.${instanceId}`,
      topics: [topic],
      fromBeginning: true,
      autoCommit: false,
      maxWaitTimeInMs,
      eachBatch: (batch) => this.onBatch(batch),
    });
    await this.consumer.start();
  }

  /**
   * Resolves true once the record at `position` has been applied by this reader, or false after
   * `timeoutMs` (the record is written all the same; this instance is only behind).
   */
  waitForApplied(position: RecordPosition, timeoutMs: number): Promise<boolean> {
    if (this.isApplied(position)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: ApplyWaiter = {
        ...position,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.waiters = [];
  }

  private isApplied(position: RecordPosition): boolean {
    const applied = this.applied.get(position.partition);
    return applied !== undefined && applied >= position.offset;
  }

  private async onBatch(batch: ConsumedBatch): Promise<void> {
    for (const message of batch.messages) {
      if (!batch.isRunning() || batch.isStale()) break;
      const offset = BigInt(message.offset);
      this.onRecord(message, { partition: batch.partition, offset });
      batch.resolveOffset(message.offset);
      this.applied.set(batch.partition, offset);
      this.noteProgress(batch.partition, offset);
    }
    this.releaseWaiters();
  }

  private noteProgress(partition: number, offset: bigint): void {
    if (this.pending.size === 0) return;
    const high = this.pending.get(partition);
    if (high !== undefined && offset + 1n >= high) this.pending.delete(partition);
    if (this.pending.size === 0) this.markCaughtUp();
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0) return;
    const still: ApplyWaiter[] = [];
    for (const waiter of this.waiters) {
      if (this.isApplied(waiter)) {
        clearTimeout(waiter.timer);
        waiter.resolve(true);
      } else still.push(waiter);
    }
    this.waiters = still;
  }
}
