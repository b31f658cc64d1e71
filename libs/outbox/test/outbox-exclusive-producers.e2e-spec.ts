import { Logger, type INestApplicationContext } from '@nestjs/common';
import { KafkaClient } from '@tributary/kafka';
import { testBrokers, TopicCapture, uniqueIdentifier, uniqueName } from '@tributary/testing';
import { Kafka, logLevel, Partitioners, type PartitionMetadata } from 'kafkajs';
import { OutboxMetrics } from '../src/observability/outbox-metrics';
import { KafkaBatchSender, type SendResult } from '../src/relay/kafka-batch.sender';
import { RelayTelemetry } from '../src/relay/relay.telemetry';
import type { OutboxRow } from '../src/store/outbox-row.interface';
import { databaseOptions, startOutboxApp } from './outbox-test.fixtures';

const PARTITIONS = 2;
/** The topic's `max.message.bytes`: the huge row is over it, the others far under. */
const MAX_MESSAGE_BYTES = 2000;

/** Keys that kafkajs' default partitioner (the relay's) puts in `partition` of a two-partition topic. */
function keysIn(topic: string, partition: number, count: number): string[] {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 0 }) as PartitionMetadata);
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    const key = `key-${i}`;
    if (partitioner({ topic, partitionMetadata, message: { key, value: null } }) === partition) keys.push(key);
  }
  return keys;
}

let nextId = 1;
function row(topic: string, key: string, payload: string): OutboxRow {
  const id = nextId++;
  const now = new Date();
  return {
    id,
    eventId: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    topic,
    key,
    type: 'test.exclusive-producers',
    version: 1,
    payload,
    headers: {},
    lane: 0,
    status: 'pending',
    attempts: 0,
    lastError: null,
    createdAt: now,
    availableAt: now,
    publishedAt: null,
  };
}

/**
 * The relay's sender against the real broker, with two batches at once: one refused in part.
 * kafkajs takes back the sequence numbers of every partition of a failed request, also of those
 * the broker appended; a concurrent batch sent on the same idempotent producer then reuses them,
 * and when it has as many records in such a partition the broker acks it as a duplicate without
 * writing it. Each send has its own producer, so that cannot happen.
 */
describe('outbox relay sender: a batch refused in part beside a concurrent batch', () => {
  const brokers = testBrokers();
  const topic = uniqueName('outbox-exclusive');
  const tableName = uniqueIdentifier('outbox_exclusive');
  let app: INestApplicationContext;
  let sender: KafkaBatchSender;
  let capture: TopicCapture;
  const kafka = new Kafka({ clientId: 'outbox-exclusive-test', brokers, logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic, numPartitions: PARTITIONS, configEntries: [{ name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) }] }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
    app = await startOutboxApp({ brokers, database: databaseOptions('sqlite'), outbox: { tableName, ensureSchema: true, relay: { enabled: false } } });
    const telemetry = new RelayTelemetry(app.get(OutboxMetrics, { strict: false }), tableName, new Logger('test'), 0);
    sender = new KafkaBatchSender(app.get(KafkaClient), { create: false, numPartitions: PARTITIONS, replicationFactor: -1 }, telemetry);
    capture = await TopicCapture.start(brokers, [topic]);
  }, 60_000);

  afterAll(async () => {
    await sender?.close();
    await capture?.stop();
    await app?.close();
  });

  /** Send `rows` the way the relay does (the sender lends each send a producer of its own). */
  const send = (rows: OutboxRow[]): Promise<SendResult> => sender.send(rows);

  it('acks a concurrent batch only when Kafka stored it', async () => {
    const [hugeKey] = keysIn(topic, 0, 1);
    const small = keysIn(topic, 1, 2);
    const tries = [0, 1, 2, 3, 5, 8];
    const outcomes: Array<{ refused: SendResult; concurrent: SendResult; concurrentValue: string; appendedValue: string }> = [];
    for (const [i, delayMs] of tries.entries()) {
      // Batch A: a row over the topic's limit in partition 0 and one row in partition 1 (appended);
      // batch B, sent while A's request is out: one row in partition 1 (as many records as A's).
      const appendedValue = `A-${i}`;
      const concurrentValue = `B-${i}`;
      const refused = send([row(topic, hugeKey, 'x'.repeat(MAX_MESSAGE_BYTES * 3)), row(topic, small[0], appendedValue)]);
      await new Promise((r) => setTimeout(r, delayMs));
      const concurrent = send([row(topic, small[1], concurrentValue)]);
      outcomes.push({ refused: await refused, concurrent: await concurrent, concurrentValue, appendedValue });
    }
    // Everything the broker holds, read back (the high watermarks are taken after the last ack).
    const values = (await capture.waitForStored()).map((m) => m.value?.toString());
    for (const { refused, concurrent, concurrentValue, appendedValue } of outcomes) {
      expect(concurrent.outage).toBeUndefined();
      expect(concurrent.acked.map((r) => r.payload)).toEqual([concurrentValue]);
      // Acked means stored: the broker did not take it for a duplicate of A's records.
      expect(values).toContain(concurrentValue);
      // A: the huge row refused, the other one acked (sent again one by one, so maybe twice).
      expect(refused.failed.map((f) => f.row.key)).toEqual([hugeKey]);
      expect(refused.acked.map((r) => r.payload)).toEqual([appendedValue]);
      expect(values).toContain(appendedValue);
    }
  }, 120_000);
});
