import { Logger } from '@nestjs/common';
import type { KafkaClient } from '@tributary/kafka';
import type { Producer, TopicMessages } from 'kafkajs';
import { ReplyTopicGoneError } from '../errors/reply-topic-gone.error';
import type { RpcAcks } from '../interfaces/rpc-module-options.interface';

/** A producer that has sent to this many reply topics is replaced (its metadata requests cover them all). */
const MAX_TARGET_TOPICS = 200;
/** How long a vanished reply topic is remembered (its replies dropped without a send, its loss logged once). */
const VANISHED_MEMORY_MS = 10 * 60 * 1000;
/** At most this many vanished topics are remembered; the oldest are forgotten first. */
const MAX_VANISHED = 10_000;
/** A vanished topic is checked again at most this often (a caller restarted with the same instance id re-creates it). */
const RECHECK_MS = 1000;

/**
 * Sends a server's replies to its callers' reply topics, which come and go with the callers.
 *
 * kafkajs keeps every topic a producer ever sent to and refreshes their metadata together; the
 * refresh fails as a whole once one of them is deleted, so a single caller that stops would fail
 * every later reply to every caller. Hence: a failed batch is checked against the topics that
 * still exist, the vanished ones are dropped (and logged once each), the producer is replaced by a
 * fresh one and the rest is sent again. A producer that has collected many topics is replaced
 * before it gets there. Topics are never created by a reply (`allowAutoTopicCreation: false`).
 */
export class KafkaReplyProducer {
  private readonly logger = new Logger(KafkaReplyProducer.name);
  private producer?: Producer;
  private readonly targets = new Set<string>();
  /** Vanished topic -> when it was noticed (insertion order = age). */
  private readonly vanished = new Map<string, number>();
  private topicList?: { at: number; topics: Promise<Set<string>> };

  constructor(
    private readonly kafka: KafkaClient,
    /** Acknowledgement each reply batch waits for (RpcModule's `acks`). */
    private readonly acks: RpcAcks,
  ) {}

  async start(): Promise<void> {
    this.producer ??= await this.create();
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await this.kafka.closeProducer(producer);
  }

  /** Send replies; resolves with the topics whose replies were not delivered, and why. */
  async deliver(topicMessages: TopicMessages[]): Promise<Map<string, Error>> {
    const failed = new Map<string, Error>();
    const live: TopicMessages[] = [];
    for (const entry of topicMessages) {
      // Awaited only for a topic seen gone: the common path reaches the producer without a promise hop.
      const gone = this.vanished.has(entry.topic) && (await this.stillGone(entry.topic));
      if (gone) failed.set(entry.topic, new ReplyTopicGoneError(entry.topic));
      else live.push(entry);
    }
    if (live.length === 0) return failed;
    if (!this.producer) {
      for (const { topic } of live) failed.set(topic, new Error('the reply producer is closed'));
      return failed;
    }
    const newTopics = live.filter((t) => !this.targets.has(t.topic)).length;
    if (this.targets.size + newTopics > MAX_TARGET_TOPICS) await this.rotate();
    try {
      await this.send(live);
      return failed;
    } catch (error) {
      return this.recover(live, error as Error, failed);
    }
  }

  /** Only the topics that exist are sent again, on a fresh producer. */
  private async recover(batch: TopicMessages[], error: Error, failed: Map<string, Error>): Promise<Map<string, Error>> {
    let existing: Set<string>;
    try {
      existing = await this.existingTopics(0);
    } catch {
      for (const { topic } of batch) failed.set(topic, error);
      return failed;
    }
    const retry: TopicMessages[] = [];
    for (const entry of batch) {
      if (existing.has(entry.topic)) {
        retry.push(entry);
      } else {
        this.noteVanished(entry.topic);
        failed.set(entry.topic, new ReplyTopicGoneError(entry.topic));
      }
    }
    try {
      // This producer may now carry a deleted topic in its metadata for good: start afresh.
      await this.rotate();
      if (retry.length > 0) await this.send(retry);
    } catch (e) {
      for (const { topic } of retry) failed.set(topic, e as Error);
    }
    return failed;
  }

  private async send(topicMessages: TopicMessages[]): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error('the reply producer is closed');
    await producer.sendBatch({ topicMessages, acks: this.acks });
    for (const { topic } of topicMessages) this.targets.add(topic);
  }

  private async create(): Promise<Producer> {
    // A reply topic can vanish with its caller: fail such replies fast instead of retrying for seconds.
    return this.kafka.createProducer({
      idempotent: false,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      retry: { retries: 2, initialRetryTime: 50 },
    });
  }

  /** Swap in a fresh producer (empty topic list); the old one is closed in the background. */
  private async rotate(): Promise<void> {
    if (!this.producer) return;
    const fresh = await this.create();
    const old = this.producer;
    this.producer = fresh;
    this.targets.clear();
    if (old) void this.kafka.closeProducer(old);
  }

  private noteVanished(topic: string): void {
    const now = Date.now();
    for (const [name, at] of this.vanished) {
      if (now - at <= VANISHED_MEMORY_MS && this.vanished.size < MAX_VANISHED) break;
      this.vanished.delete(name);
    }
    if (this.vanished.has(topic)) return;
    this.vanished.set(topic, now);
    this.logger.warn(`reply topic ${topic} no longer exists (its caller stopped or it was deleted): replies to it are dropped`);
  }

  /** True when `topic` (one that vanished) still does not exist; a re-created topic is forgotten. */
  private async stillGone(topic: string): Promise<boolean> {
    const topics = await this.existingTopics(RECHECK_MS).catch(() => undefined);
    if (!topics || !topics.has(topic)) return true;
    this.vanished.delete(topic);
    return false;
  }

  /** Topic names of the cluster, read at most once per `maxAgeMs`. */
  private existingTopics(maxAgeMs: number): Promise<Set<string>> {
    const now = Date.now();
    if (!this.topicList || now - this.topicList.at > maxAgeMs) {
      const topics = this.kafka.admin.client().then(async (admin) => new Set(await admin.listTopics()));
      topics.catch(() => (this.topicList = undefined));
      this.topicList = { at: now, topics };
    }
    return this.topicList.topics;
  }
}
