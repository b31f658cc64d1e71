import type { Admin, ITopicConfig, Kafka } from 'kafkajs';
import { withTimeout } from '../with-timeout';

/** A topic that `ensureTopics` creates when missing. */
export interface TopicSpec {
  /** Topic name. */
  topic: string;
  /** Number of partitions. @default 1 */
  numPartitions?: number;
  /** Replication factor; -1 takes the broker's `default.replication.factor`. @default -1 */
  replicationFactor?: number;
  /** Sets `cleanup.policy=compact` (registries, latest-value topics). @default false */
  compacted?: boolean;
  /** Any other topic configs, e.g. `{ 'retention.ms': '86400000' }`. @default {} */
  configEntries?: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Admin operations the libs need: create topics and wait until they can be used,
 * and read high watermarks. One kafkajs admin connection, opened on first use.
 */
export class KafkaAdmin {
  private admin?: Admin;
  private connecting?: Promise<Admin>;

  constructor(
    private readonly kafka: Kafka,
    private readonly connectTimeoutMs: number,
  ) {}

  /** The connected kafkajs admin client (escape hatch for what this class does not cover). */
  async client(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await withTimeout(admin.connect(), this.connectTimeoutMs, () => new Error(`admin connect timed out after ${this.connectTimeoutMs} ms`));
      } catch (e) {
        this.connecting = undefined;
        await admin.disconnect().catch(() => undefined);
        throw e;
      }
      this.admin = admin;
      return admin;
    })();
    return this.connecting;
  }

  /**
   * Create the topics that do not exist yet and wait until every partition of every listed topic
   * has a leader. Existing topics are left as they are, whatever their partition count.
   */
  async ensureTopics(specs: TopicSpec[], timeoutMs = 30_000): Promise<void> {
    if (specs.length === 0) return;
    const admin = await this.client();
    const existing = new Set(await admin.listTopics());
    const missing: ITopicConfig[] = specs
      .filter((s) => !existing.has(s.topic))
      .map((s) => {
        const configEntries = Object.entries({
          ...(s.compacted ? { 'cleanup.policy': 'compact' } : {}),
          ...(s.configEntries ?? {}),
        }).map(([name, value]) => ({ name, value }));
        return {
          topic: s.topic,
          numPartitions: s.numPartitions ?? 1,
          replicationFactor: s.replicationFactor ?? -1,
          configEntries,
        };
      });
    if (missing.length > 0) {
      try {
        // Leaders are awaited below with metadata polling that tolerates brokers still learning the topic.
        await admin.createTopics({ topics: missing, waitForLeaders: false, timeout: timeoutMs });
      } catch (e) {
        // Another instance may have created it in between: that is fine.
        if (!/already exists/i.test(String((e as Error).message))) throw e;
      }
    }
    await this.waitForLeaders(specs, timeoutMs);
  }

  private async waitForLeaders(specs: TopicSpec[], timeoutMs: number): Promise<void> {
    const admin = await this.client();
    const topics = specs.map((s) => s.topic);
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        const { topics: meta } = await admin.fetchTopicMetadata({ topics });
        const ready = specs.every((spec) => {
          const t = meta.find((m) => m.name === spec.topic);
          if (!t || t.partitions.length === 0) return false;
          return t.partitions.every((p) => p.leader >= 0);
        });
        if (ready) return;
      } catch (e) {
        lastError = e;
      }
      await sleep(100);
    }
    throw new Error(`topics ${topics.join(', ')} have no leader after ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
  }

  /** High watermark (next offset to be written) of every partition of `topic`. */
  async highWatermarks(topic: string): Promise<Map<number, bigint>> {
    const admin = await this.client();
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  }

  /** Low watermark (earliest available offset) of every partition of `topic`. */
  async lowWatermarks(topic: string): Promise<Map<number, bigint>> {
    const admin = await this.client();
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.low)]));
  }

  async close(): Promise<void> {
    const admin = this.admin ?? (this.connecting ? await this.connecting.catch(() => undefined) : undefined);
    this.admin = undefined;
    this.connecting = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
