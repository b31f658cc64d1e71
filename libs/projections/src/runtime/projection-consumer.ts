import type { Logger } from '@nestjs/common';
import type { ConsumedBatch, KafkaConsumerRunner, PartitionAssignment } from '@tributary/kafka';
import { partitionKey, type ProjectionDefinition, type ProjectionWorkerDeps } from './projection-definition';

const TOPIC_CHECK_EVERY_MS = 2000;

/** What the consumer reports to the worker that owns it. */
export interface ProjectionConsumerHooks {
  eachBatch(batch: ConsumedBatch): Promise<void>;
  /** The assigned partitions were positioned at their checkpoints (or the attempt was logged). */
  assigned(): void;
  /** A source topic does not exist yet: the consumer checks every 2 s and starts once it does. */
  waitingForTopics(): void;
  /** Something failed; `fatal`: the consumer will not go on by itself (the worker stops it). */
  failed(error: Error, fatal: boolean): void;
}

/**
 * The Kafka side of a projection on this instance: waits for its source topics, joins the
 * consumer group, positions assigned partitions at their checkpoints, rewinds a partition read
 * from the middle, commits offset hints, and leaves the group.
 */
export class ProjectionConsumer {
  private runner?: KafkaConsumerRunner;
  private topicWait?: NodeJS.Timeout;
  /** Partitions positioned at their earliest offset on purpose while they have no checkpoint. */
  private readonly rewound = new Set<string>();
  /** Offset hints waiting for the commit in flight, by partition. */
  private readonly hints = new Map<string, { topic: string; partition: number; offset: string }>();
  private committingHints = false;

  constructor(
    private readonly definition: ProjectionDefinition,
    private readonly deps: ProjectionWorkerDeps,
    private readonly hooks: ProjectionConsumerHooks,
    private readonly logger: Logger,
  ) {}

  /** Neither consuming nor waiting for topics. */
  get idle(): boolean {
    return !this.runner && !this.topicWait;
  }

  /**
   * Join the consumer group; `begin` runs right before. A source topic that does not exist yet
   * cannot be subscribed to, and its publisher owns it: wait for it, then start.
   */
  async start(begin: () => void): Promise<void> {
    if (!this.idle) return;
    const missing = await this.missingTopics();
    if (missing.length > 0) {
      this.logger.warn(`waiting for topic(s) ${missing.join(', ')} to be created by their publisher; checking every ${TOPIC_CHECK_EVERY_MS} ms`);
      this.hooks.waitingForTopics();
      this.waitForTopics(begin);
      return;
    }
    begin();
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
      eachBatch: (batch) => this.hooks.eachBatch(batch),
      // Not restarting: the runner restarts crashed consumers unless it is stopping.
      onCrash: (error, restarting) => this.hooks.failed(error, !restarting),
    });
    await this.runner.start();
  }

  /** Leave the group (after the batch in progress) or stop waiting for topics. */
  async stop(): Promise<void> {
    clearTimeout(this.topicWait);
    this.topicWait = undefined;
    const runner = this.runner;
    this.runner = undefined;
    this.hints.clear();
    await runner?.stop();
  }

  /** Forget the rewinds (the checkpoints were reset: every partition starts from its earliest offset). */
  forgetRewinds(): void {
    this.rewound.clear();
  }

  /** Whether the partition was positioned at its earliest offset on purpose (it has no checkpoint yet). */
  isRewound(topic: string, partition: number): boolean {
    return this.rewound.has(partitionKey(topic, partition));
  }

  /** The partition has a checkpoint now. */
  settled(topic: string, partition: number): void {
    this.rewound.delete(partitionKey(topic, partition));
  }

  /** Read the partition again from its earliest offset (it lost its checkpoint while we held it). */
  async rewind(topic: string, partition: number): Promise<void> {
    this.rewound.add(partitionKey(topic, partition));
    const low = await this.lowWatermark(topic, partition);
    this.runner?.seek(topic, partition, low.toString());
  }

  async lowWatermark(topic: string, partition: number): Promise<bigint> {
    const lows = await this.deps.kafka.admin.lowWatermarks(topic);
    return lows.get(partition) ?? 0n;
  }

  /**
   * Commit the next offset to read as a hint: the checkpoint decides, a lost hint costs a re-read,
   * not a re-apply. Not awaited by the batch (a broker round trip per batch would hold up the next
   * one): one commit is in flight at a time and carries the latest hint of every partition.
   */
  commitHint(topic: string, partition: number, nextOffset: bigint): void {
    this.hints.set(partitionKey(topic, partition), { topic, partition, offset: nextOffset.toString() });
    if (!this.committingHints) void this.flushHints();
  }

  private async flushHints(): Promise<void> {
    this.committingHints = true;
    try {
      while (this.hints.size > 0 && this.runner) {
        const hints = [...this.hints.values()];
        this.hints.clear();
        await this.runner.consumer.commitOffsets(hints).catch((e: Error) => this.logger.debug(`offset hints not committed: ${e.message}`));
      }
    } finally {
      this.committingHints = false;
    }
  }

  private async missingTopics(): Promise<string[]> {
    const admin = await this.deps.kafka.admin.client();
    const existing = new Set(await admin.listTopics());
    return this.definition.topics.filter((t) => !existing.has(t));
  }

  private waitForTopics(begin: () => void): void {
    this.topicWait = setTimeout(() => {
      void (async () => {
        let missing: string[];
        try {
          missing = await this.missingTopics();
        } catch (e) {
          this.hooks.failed(e as Error, false);
          missing = this.definition.topics;
        }
        if (!this.topicWait) return; // stopped meanwhile
        if (missing.length > 0) return this.waitForTopics(begin);
        this.topicWait = undefined;
        await this.start(begin).catch((e: Error) => {
          this.logger.error(`could not start: ${e.message}`);
          this.hooks.failed(e, true);
        });
      })();
    }, TOPIC_CHECK_EVERY_MS);
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
      const checkpoints = await this.deps.store.readCheckpoints(this.deps.dataSource, this.definition.options.name);
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
    this.hooks.assigned();
  }
}
