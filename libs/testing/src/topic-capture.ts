import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import { waitFor } from './wait-for';
import { uniqueName } from './fixtures';

/** A message read by `captureTopic`, with where it came from. */
export interface CapturedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Reads every message of some topics from the beginning, for assertions. */
export class TopicCapture {
  readonly messages: CapturedMessage[] = [];

  private constructor(
    private readonly consumer: Consumer,
    private readonly kafka: Kafka,
    private readonly topics: string[],
  ) {}

  /** Start capturing; resolves once the consumer has joined its (unique) group. */
  static async start(brokers: string[], topics: string[], timeoutMs = 30_000): Promise<TopicCapture> {
    const kafka = new Kafka({ clientId: 'tributary-capture', brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: uniqueName('capture'), maxWaitTimeInMs: 100 });
    const capture = new TopicCapture(consumer, kafka, topics);
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        capture.messages.push(toCaptured(topic, partition, message));
      },
    });
    await waitFor(() => joined, { timeoutMs, description: `capture consumer to join for ${topics.join(',')}` });
    return capture;
  }

  /** Wait until at least `count` messages arrived; returns them. */
  async waitForCount(count: number, timeoutMs = 30_000): Promise<CapturedMessage[]> {
    await waitFor(() => this.messages.length >= count, {
      timeoutMs,
      description: `${count} messages (have ${this.messages.length})`,
    });
    return this.messages;
  }

  /**
   * Wait until every message the broker holds in the captured topics now (up to their high
   * watermarks, read at this call) arrived; returns them. What a producer was told is stored can
   * then be looked for in `messages`.
   */
  async waitForStored(timeoutMs = 30_000): Promise<CapturedMessage[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    let stored = 0;
    try {
      for (const topic of this.topics) stored += (await admin.fetchTopicOffsets(topic)).reduce((sum, o) => sum + Number(o.high), 0);
    } finally {
      await admin.disconnect();
    }
    return this.waitForCount(stored, timeoutMs);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

function toCaptured(topic: string, partition: number, message: KafkaMessage): CapturedMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined) headers[k] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    value: message.value,
    headers,
  };
}
