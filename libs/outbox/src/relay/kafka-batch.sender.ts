import type { KafkaClient } from '@tributary/kafka';
import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { ResolvedOutboxOptions } from '../outbox-options.validator';
import type { OutboxRow } from '../store/outbox-row.interface';
import { classifySendError, describeSendError } from './kafka-send-error';
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
    const result = await this.sendRows(producer, rows, topicMessages);
    observation.end({ failedTopics: new Set(result.failed.map((f) => f.row.topic)), error: result.failed[0]?.error, outage: result.outage });
    return result;
  }

  private async sendRows(producer: Producer, rows: OutboxRow[], topicMessages: TopicMessages[]): Promise<SendResult> {
    try {
      await this.ensureTopics(topicMessages.map((t) => t.topic));
    } catch (e) {
      return { acked: [], failed: [], outage: e };
    }
    try {
      await producer.sendBatch({ topicMessages, acks: -1 });
      return { acked: rows, failed: [] };
    } catch (e) {
      if (classifySendError(e) === 'outage') {
        void this.close();
        return { acked: [], failed: [], outage: e };
      }
      if (rows.length === 1) return { acked: [], failed: [{ row: rows[0], error: e }] };
    }
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
