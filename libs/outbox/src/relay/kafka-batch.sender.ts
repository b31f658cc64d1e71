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

/** A send that threw: what it threw (kafkajs may throw anything). */
interface SendFailure {
  error: unknown;
}

/**
 * The relay's Kafka side: its own idempotent producers (same safe defaults as
 * `KafkaClient.producer()`, never the app's shared one), creation of missing event topics, and
 * sending a batch of rows in one request.
 *
 * Each send has a producer to itself (`acquire`, then `release`), and a producer a send failed on
 * is closed instead of used again. Why: when a produce request fails, kafkajs takes back the
 * sequence numbers of every partition of the request, also of those whose records the broker had
 * appended (a request refused in part, a retriable error on some partitions). The next request on
 * that producer then reuses numbers the broker already holds: with a different record count it is
 * refused (OUT_OF_ORDER_SEQUENCE_NUMBER); with the same count the broker takes it for a duplicate
 * of the appended batch and acks it without writing it, and the relay would mark rows published
 * that Kafka never stored. A producer that only its own send uses, dropped after a failure, never
 * sends with numbers taken back (kafkajs' own retries of that request resend the same records,
 * which the broker rightly deduplicates).
 */
export class KafkaBatchSender {
  private readonly ensuredTopics = new Set<string>();
  /** Connected producers no send is using. */
  private readonly idle: Producer[] = [];
  /** Producers a send is using. */
  private readonly busy = new Set<Producer>();
  /** Producers a send failed on (or that `close` retired while busy): closed when released. */
  private readonly retired = new WeakSet<Producer>();

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

  /**
   * A connected producer that no other send uses until it is given back with `release`: an idle
   * one, or a new one (always, with `fresh`). Throws `KafkaOutage` when a new one cannot connect.
   */
  async acquire(fresh = false): Promise<Producer> {
    let producer = fresh ? undefined : this.idle.pop();
    if (!producer) {
      try {
        producer = await this.kafka.createProducer();
      } catch (e) {
        throw new KafkaOutage(e);
      }
    }
    this.busy.add(producer);
    return producer;
  }

  /** Give back a producer from `acquire`: idle again, or closed when a send failed on it. */
  release(producer: Producer): void {
    if (!this.busy.delete(producer)) return;
    if (this.retired.has(producer)) void this.kafka.closeProducer(producer);
    else this.idle.push(producer);
  }

  /** Close the idle producers now and the busy ones when released (new ones are made on the next `acquire`). */
  async close(): Promise<void> {
    for (const producer of this.busy) this.retired.add(producer);
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((producer) => this.kafka.closeProducer(producer)));
  }

  /**
   * Send rows in one request on `producer` (from `acquire`; the caller releases it). When the broker
   * refuses it for a reason tied to records, send them one by one to find the culprits; a refused
   * row blocks the later rows of its key in this batch.
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
    let failure = await this.trySend(producer, topicMessages);
    if (failure && isOutOfSequence(failure.error)) {
      // The broker no longer knows this producer's numbering (e.g. it lost the producer's state):
      // the batch goes once more on a new producer.
      let fresh: Producer;
      try {
        fresh = await this.acquire(true);
      } catch (e) {
        return { acked: [], failed: [], outage: (e as KafkaOutage).reason };
      }
      try {
        failure = await this.trySend(fresh, topicMessages);
      } finally {
        this.release(fresh);
      }
    }
    if (!failure) return { acked: rows, failed: [] };
    if (classifySendError(failure.error) === 'outage') return this.outage(failure.error);
    if (rows.length === 1) return { acked: [], failed: [{ row: rows[0], error: failure.error }] };
    return this.sendOneByOne(rows);
  }

  /**
   * The rows of a refused request one by one, on fresh producers: the one that sent the request
   * is retired (its numbers were taken back), and so is each one a row fails on. The records the
   * broker had appended before the refusal come twice (at least once; the first copies keep the order).
   */
  private async sendOneByOne(rows: OutboxRow[]): Promise<SendResult> {
    const result: SendResult = { acked: [], failed: [] };
    const blocked = new Set<string>();
    let producer: Producer | undefined;
    try {
      for (const row of rows) {
        if (row.key !== null && blocked.has(row.key)) continue;
        if (!producer) {
          try {
            producer = await this.acquire();
          } catch (e) {
            result.outage = (e as KafkaOutage).reason;
            return result;
          }
        }
        const failure = await this.trySend(producer, toTopicMessages([row]));
        if (!failure) {
          result.acked.push(row);
          continue;
        }
        this.release(producer);
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
      if (producer) this.release(producer);
    }
  }

  /** One request; when it throws, the producer is retired (kafkajs took back its sequence numbers). */
  private async trySend(producer: Producer, topicMessages: TopicMessages[]): Promise<SendFailure | undefined> {
    try {
      await producer.sendBatch({ topicMessages, acks: -1 });
      return undefined;
    } catch (error) {
      this.retired.add(producer);
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
