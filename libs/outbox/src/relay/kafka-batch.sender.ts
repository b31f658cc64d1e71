import type { KafkaClient } from '@tributary/kafka';
import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { ResolvedOutboxOptions } from '../outbox-options.validator';
import type { OutboxRow } from '../store/outbox-row.interface';
import { classifySendError, describeSendError, isOutOfSequence } from './kafka-send-error';
import type { RelayTelemetry } from './relay.telemetry';

/** Rows Kafka acked, rows it refused (with why), or an outage that stopped the send. */
export interface SendResult {
  acked: OutboxRow[];
  failed: Array<{ row: OutboxRow; error: unknown }>;
  outage?: unknown;
}

/** Kafka could not be reached to send a batch (the producer failed to connect). */
export class KafkaOutage extends Error {
  constructor(readonly reason: unknown) {
    super(describeSendError(reason));
  }
}

/**
 * The relay's Kafka side: its own idempotent producer (same safe defaults as
 * `KafkaClient.producer()`, replaced after an outage without touching the app's shared producer),
 * creation of missing event topics, and sending a batch of rows in one request.
 */
export class KafkaBatchSender {
  private producer?: Promise<Producer>;
  private readonly ensuredTopics = new Set<string>();
  /** Sends running on each producer, so that a replaced producer is closed only after its last one. */
  private readonly sending = new Map<Producer, number>();
  /** Producers replaced (see `replace`), closed once no send runs on them. */
  private readonly retired = new Set<Producer>();

  constructor(
    private readonly kafka: KafkaClient,
    private readonly topics: ResolvedOutboxOptions['topics'],
    private readonly telemetry: RelayTelemetry,
  ) {}

  /** Create the topics not yet known to exist (`topics.create`), once per topic and process. */
  async ensureTopics(topics: Iterable<string>): Promise<void> {
    const { create, numPartitions, replicationFactor } = this.topics;
    const missing = [...new Set(topics)].filter((t) => !this.ensuredTopics.has(t));
    if (!create || missing.length === 0) return;
    await this.kafka.admin.ensureTopics(missing.map((topic) => ({ topic, numPartitions, replicationFactor })));
    for (const topic of missing) this.ensuredTopics.add(topic);
  }

  /** The connected producer; throws `KafkaOutage` when it cannot connect. */
  async getProducer(): Promise<Producer> {
    this.producer ??= this.kafka.createProducer();
    try {
      return await this.producer;
    } catch (e) {
      this.producer = undefined;
      throw new KafkaOutage(e);
    }
  }

  /**
   * Stop using `on.producer` for new batches (it closes once its running sends ended) and move this
   * send to the current producer: a fresh one, unless another batch replaced it already. Resolves
   * to a `KafkaOutage` when no producer can connect (the send stays on the old one).
   */
  private async replace(on: { producer: Producer }): Promise<KafkaOutage | undefined> {
    const old = on.producer;
    if ((await this.producer?.catch(() => undefined)) === old) this.producer = undefined;
    this.retired.add(old);
    try {
      on.producer = await this.getProducer();
    } catch (e) {
      return e as KafkaOutage;
    }
    this.sendStarted(on.producer);
    this.sendEnded(old);
    return undefined;
  }

  /** A send on `producer` started. */
  private sendStarted(producer: Producer): void {
    this.sending.set(producer, (this.sending.get(producer) ?? 0) + 1);
  }

  /** A send on `producer` ended: close it if it was replaced and this was its last send. */
  private sendEnded(producer: Producer): void {
    const left = (this.sending.get(producer) ?? 1) - 1;
    if (left > 0) return void this.sending.set(producer, left);
    this.sending.delete(producer);
    if (this.retired.delete(producer)) void this.kafka.closeProducer(producer);
  }

  /** Close the producer (a new one is created on the next send). */
  async close(): Promise<void> {
    const pending = this.producer;
    this.producer = undefined;
    const producer = await pending?.catch(() => undefined);
    if (producer) await this.kafka.closeProducer(producer);
  }

  /**
   * Send rows in one request. When the broker refuses it for a reason tied to records, send them
   * one by one to find the culprits; a refused row blocks the later rows of its key in this batch.
   */
  async send(producer: Producer, rows: OutboxRow[]): Promise<SendResult> {
    const topicMessages = toTopicMessages(rows);
    const observation = this.telemetry.startSend(topicMessages);
    this.sendStarted(producer);
    const on = { producer };
    let result: SendResult;
    try {
      result = await this.sendRows(on, rows, topicMessages);
    } finally {
      this.sendEnded(on.producer);
    }
    observation.end({ failedTopics: new Set(result.failed.map((f) => f.row.topic)), error: result.failed[0]?.error, outage: result.outage });
    return result;
  }

  /** Send on `on.producer`, which becomes the fresh producer when this send replaces it. */
  private async sendRows(on: { producer: Producer }, rows: OutboxRow[], topicMessages: TopicMessages[]): Promise<SendResult> {
    try {
      await this.ensureTopics(topicMessages.map((t) => t.topic));
    } catch (e) {
      return { acked: [], failed: [], outage: e };
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await on.producer.sendBatch({ topicMessages, acks: -1 });
        return { acked: rows, failed: [] };
      } catch (e) {
        // Out of sequence: this producer's numbering is off (see below, a refusal on another batch
        // that shared it); the batch goes once more on a fresh producer.
        if (attempt === 1 && isOutOfSequence(e)) {
          const outage = await this.replace(on);
          if (outage) return { acked: [], failed: [], outage: outage.reason };
          continue;
        }
        if (classifySendError(e) === 'outage') {
          void this.close();
          return { acked: [], failed: [], outage: e };
        }
        if (rows.length === 1) return { acked: [], failed: [{ row: rows[0], error: e }] };
        break;
      }
    }
    // kafkajs took back the sequence numbers of every partition of the refused request, also of
    // those whose records the broker appended: on this producer the next records of those
    // partitions would be out of sequence. The rows go one by one on a fresh producer (a new
    // producer id numbers from 0); the records the broker had appended come twice (at least once).
    const outage = await this.replace(on);
    if (outage) return { acked: [], failed: [], outage: outage.reason };
    const { producer } = on;
    const result: SendResult = { acked: [], failed: [] };
    const blocked = new Set<string>();
    for (const row of rows) {
      if (row.key !== null && blocked.has(row.key)) continue;
      try {
        await producer.sendBatch({ topicMessages: toTopicMessages([row]), acks: -1 });
        result.acked.push(row);
      } catch (e) {
        if (classifySendError(e) === 'outage') {
          void this.close();
          result.outage = e;
          return result;
        }
        result.failed.push({ row, error: e });
        if (row.key !== null) blocked.add(row.key);
      }
    }
    return result;
  }
}

/** Group rows by topic, keeping row order inside each topic (and so inside each partition). */
export function toTopicMessages(rows: OutboxRow[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const row of rows) {
    let messages = byTopic.get(row.topic);
    if (!messages) byTopic.set(row.topic, (messages = []));
    messages.push({ key: row.key, value: row.payload, headers: row.headers });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
