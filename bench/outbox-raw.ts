/*
 * The raw kafkajs baseline of the outbox benchmark: the relay's own producer settings
 * (KafkaClient.createProducer), the very bytes the relay sends (read from the outbox table before
 * timing, so neither side encodes inside its timed window), sendBatch(batchSize) with `concurrency`
 * calls at once, each on a producer of its own like the relay's sends, timed from the first send to
 * the last ack like the relay.
 */
import type { KafkaClient } from '@tributary/kafka';
import type { Message, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';

/** At most this many distinct messages are held in memory; longer runs send them again in a cycle. */
const MAX_DISTINCT = 50_000;

export interface RawFigures {
  eventsPerSecond: number;
  seconds: number;
  cpuMsPer1000: number;
}

/** CPU time of this process per 1,000 events since `since`. */
export function cpuMsPer1000(since: NodeJS.CpuUsage, events: number): number {
  const used = process.cpuUsage(since);
  return Math.round(((used.user + used.system) / events) * 10) / 10;
}

/** The first `count` rows of the outbox table as the relay turns them into Kafka messages. */
export async function readEncodedMessages(dataSource: DataSource, table: string, count: number): Promise<Message[]> {
  const rows = await dataSource.query<Array<{ message_key: string | null; payload: string; headers: string }>>(
    `SELECT message_key, payload, headers FROM "${table}" ORDER BY id LIMIT $1`,
    [Math.min(count, MAX_DISTINCT)],
  );
  return rows.map((r) => ({ key: r.message_key, value: r.payload, headers: JSON.parse(r.headers) as Record<string, string> }));
}

/** Send `count` of `messages` (cycling) to `topic`; the rate is from the first send to the last ack. */
export async function rawCeiling(
  kafka: KafkaClient,
  topic: string,
  messages: readonly Message[],
  count: number,
  options: { batchSize: number; concurrency: number },
): Promise<RawFigures> {
  const producers = await Promise.all(Array.from({ length: options.concurrency }, () => kafka.createProducer()));
  try {
    // Warm-up: metadata and the producer ids, as the relay has them before its first sends too.
    await Promise.all(producers.map((producer) => producer.sendBatch({ topicMessages: [{ topic, messages: [messages[0]] }], acks: -1 })));
    const batches: Message[][] = [];
    for (let from = 0; from < count; from += options.batchSize) {
      const size = Math.min(options.batchSize, count - from);
      batches.push(Array.from({ length: size }, (_, k) => messages[(from + k) % messages.length]));
    }
    let next = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const worker = async (producer: Producer) => {
      while (next < batches.length) {
        const batch = batches[next++];
        await producer.sendBatch({ topicMessages: [{ topic, messages: batch }], acks: -1 });
      }
    };
    await Promise.all(producers.map(worker));
    const seconds = (performance.now() - started) / 1000;
    return { eventsPerSecond: Math.round(count / seconds), seconds: Math.round(seconds * 1000) / 1000, cpuMsPer1000: cpuMsPer1000(cpu, count) };
  } finally {
    await Promise.all(producers.map((producer) => kafka.closeProducer(producer)));
  }
}
