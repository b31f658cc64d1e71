import type { KafkaClient, ProducerLease, ProducerPool } from '@tributary/kafka';
import type { Message, TopicMessages } from 'kafkajs';
import type { ResolvedOutboxOptions } from '../outbox-options.validator';
import type { OutboxRow } from '../store/outbox-row.interface';
import { classifySendError, isOutOfSequence } from './kafka-send-error';
import type { RelayTelemetry } from './relay.telemetry';

/** Rows Kafka acked, rows it refused (with why), or an outage that stopped the send. */
export interface SendResult {
  acked: OutboxRow[];
  failed: Array<{ row: OutboxRow; error: unknown }>;
  outage?: unknown;
}

/** A send that threw: what it threw (kafkajs may throw anything). */
interface SendFailure {
  error: unknown;
}

/**
 * The relay's Kafka side: its own pool of idempotent producers (same safe defaults as
 * `KafkaClient.producer()`, never the app's shared one), creation of missing event topics, and
 * sending a batch of rows in one request.
 *
 * Each send has a producer to itself, lent by the pool for that send, and a producer a send failed on
 * is closed instead of used again (`ProducerPool` of `@tributary/kafka`, which says why: kafkajs
 * takes back the sequence numbers of a failed request also for the partitions the broker had
 * appended, and a later request reusing them can be acked as a duplicate without being written,
 * so the relay would mark rows published that Kafka never stored).
 */
export class KafkaBatchSender {
  private readonly ensuredTopics = new Set<string>();
  private readonly producers: ProducerPool;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly topics: ResolvedOutboxOptions['topics'],
    private readonly telemetry: RelayTelemetry,
  ) {
    this.producers = kafka.createProducerPool();
  }

  /** Create the topics not yet known to exist (`topics.create`), once per topic and process. */
  async ensureTopics(topics: Iterable<string>): Promise<void> {
    const { create, numPartitions, replicationFactor } = this.topics;
    const missing = [...new Set(topics)].filter((t) => !this.ensuredTopics.has(t));
    if (!create || missing.length === 0) return;
    await this.kafka.admin.ensureTopics(missing.map((topic) => ({ topic, numPartitions, replicationFactor })));
    for (const topic of missing) this.ensuredTopics.add(topic);
  }

  /** Close the idle producers now and the busy ones when released (new ones are made on the next send). */
  close(): Promise<void> {
    return this.producers.close();
  }

  /**
   * Send rows in one request on a producer of their own, lent by the pool for this send only (an
   * outage when none can connect). When the broker refuses the request for a reason tied to
   * records, send them one by one to find the culprits; a refused row blocks the later rows of its
   * key in this batch.
   */
  async send(rows: OutboxRow[]): Promise<SendResult> {
    const topicMessages = toTopicMessages(rows);
    const observation = this.telemetry.startSend(topicMessages);
    const result = await this.sendRows(rows, topicMessages);
    observation.end({ failedTopics: new Set(result.failed.map((f) => f.row.topic)), error: result.failed[0]?.error, outage: result.outage });
    return result;
  }

  private async sendRows(rows: OutboxRow[], topicMessages: TopicMessages[]): Promise<SendResult> {
    try {
      await this.ensureTopics(topicMessages.map((t) => t.topic));
    } catch (e) {
      return { acked: [], failed: [], outage: e };
    }
    let failure = await this.sendOnOwnProducer(topicMessages);
    // The broker no longer knows the producer's numbering (e.g. it lost the producer's state):
    // the batch goes once more on a brand-new producer.
    if (failure && !('outage' in failure) && isOutOfSequence(failure.error)) failure = await this.sendOnOwnProducer(topicMessages, true);
    if (!failure) return { acked: rows, failed: [] };
    if ('outage' in failure) return { acked: [], failed: [], outage: failure.outage };
    if (classifySendError(failure.error) === 'outage') return this.outage(failure.error);
    if (rows.length === 1) return { acked: [], failed: [{ row: rows[0], error: failure.error }] };
    return this.sendOneByOne(rows);
  }

  /** One request on a producer lent for it (a new one with `fresh`); no producer could connect: `{ outage }`. */
  private async sendOnOwnProducer(topicMessages: TopicMessages[], fresh = false): Promise<SendFailure | { outage: unknown } | undefined> {
    let producer: ProducerLease;
    try {
      producer = await this.producers.acquire({ fresh });
    } catch (outage) {
      return { outage };
    }
    try {
      return await this.trySend(producer, topicMessages);
    } finally {
      producer.release();
    }
  }

  /**
   * The rows of a refused request one by one, on fresh producers: the one that sent the request
   * is retired (its numbers were taken back), and so is each one a row fails on. The records the
   * broker had appended before the refusal come twice (at least once; the first copies keep the order).
   */
  private async sendOneByOne(rows: OutboxRow[]): Promise<SendResult> {
    const result: SendResult = { acked: [], failed: [] };
    const blocked = new Set<string>();
    let producer: ProducerLease | undefined;
    try {
      for (const row of rows) {
        if (row.key !== null && blocked.has(row.key)) continue;
        if (!producer) {
          try {
            producer = await this.producers.acquire();
          } catch (outage) {
            result.outage = outage;
            return result;
          }
        }
        const failure = await this.trySend(producer, toTopicMessages([row]));
        if (!failure) {
          result.acked.push(row);
          continue;
        }
        producer.release();
        producer = undefined;
        if (classifySendError(failure.error) === 'outage') {
          void this.close();
          result.outage = failure.error;
          return result;
        }
        result.failed.push({ row, error: failure.error });
        if (row.key !== null) blocked.add(row.key);
      }
      return result;
    } finally {
      producer?.release();
    }
  }

  /** One request; when it throws, the lease retires its producer (kafkajs took back its sequence numbers). */
  private async trySend(producer: ProducerLease, topicMessages: TopicMessages[]): Promise<SendFailure | undefined> {
    try {
      await producer.sendBatch({ topicMessages, acks: -1 });
      return undefined;
    } catch (error) {
      return { error };
    }
  }

  /** Kafka is unreachable: every producer is closed (busy ones when released), the batch stops. */
  private outage(error: unknown): SendResult {
    void this.close();
    return { acked: [], failed: [], outage: error };
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
