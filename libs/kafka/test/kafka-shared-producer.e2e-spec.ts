import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { KafkaClient, KafkaModule } from '@tributary/kafka';
import { testBrokers, TopicCapture, uniqueName, waitFor } from '@tributary/testing';
import type { ProducerBatch } from 'kafkajs';

/** The topic's `max.message.bytes`: the huge record is over it, the others far under. */
const MAX_MESSAGE_BYTES = 2000;

/**
 * The shared producer after a request the broker refused in part (one partition's record too
 * large, the other partition's appended). kafkajs takes back the sequence numbers of both
 * partitions; a later request with as many records in the appended partition would reuse them,
 * and the broker would ack it as a duplicate without writing it.
 */
describe('KafkaClient shared producer after a request refused in part (real broker)', () => {
  const brokers = testBrokers();
  let app: INestApplication;
  let client: KafkaClient;
  let topic: string;
  let capture: TopicCapture;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [KafkaModule.forRoot({ brokers, serviceName: 'kafka-shared-producer-e2e', logLevel: 'nothing' })],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    client = app.get(KafkaClient);
    topic = uniqueName('kafka-shared-producer');
    const admin = await client.admin.client();
    await admin.createTopics({
      topics: [{ topic, numPartitions: 2, configEntries: [{ name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) }] }],
      waitForLeaders: true,
    });
    capture = await TopicCapture.start(brokers, [topic]);
  }, 60_000);

  afterEach(async () => {
    await capture?.stop();
    await app?.close();
  });

  /** One record over the limit in partition 0 and `value` in partition 1. */
  const refusedInPart = (value: string): ProducerBatch => ({
    topicMessages: [{ topic, messages: [{ partition: 0, value: 'x'.repeat(MAX_MESSAGE_BYTES * 3) }, { partition: 1, value }] }],
    acks: -1,
  });

  /** The values the broker holds in the topic (read up to the high watermarks taken now). */
  const storedValues = async (): Promise<string[]> => (await capture.waitForStored()).map((m) => String(m.value));

  it('stores a send that was waiting behind the refused request', async () => {
    const outcomes: Array<{ refused: PromiseSettledResult<unknown>; concurrent: PromiseSettledResult<unknown>; value: string }> = [];
    for (const [i, delayMs] of [0, 1, 2, 3, 5, 8].entries()) {
      const producer = await client.producer();
      const refused = producer.sendBatch(refusedInPart(`A-${i}`));
      await new Promise((r) => setTimeout(r, delayMs));
      const concurrent = (await client.producer()).send({ topic, messages: [{ partition: 1, value: `B-${i}` }], acks: -1 });
      const [a, b] = await Promise.allSettled([refused, concurrent]);
      outcomes.push({ refused: a, concurrent: b, value: `B-${i}` });
    }
    const values = await storedValues();
    for (const { refused, concurrent, value } of outcomes) {
      expect(refused.status).toBe('rejected');
      expect(concurrent.status).toBe('fulfilled');
      // Acked means written: not taken for a duplicate of the refused request's appended record.
      expect(values).toContain(value);
    }
  }, 120_000);

  it('stores a later send on the same producer object, and closes the failed producer once its successor connected', async () => {
    // Each producer the client closes, and whether another of its producers was connected by the time it was closed.
    const closes: Array<{ connectedAfter: boolean }> = [];
    const close = client.closeProducer.bind(client);
    jest.spyOn(client, 'closeProducer').mockImplementation(async (producer) => {
      await close(producer);
      closes.push({ connectedAfter: client.producerConnected });
    });
    const producer = await client.producer();
    await expect(producer.sendBatch(refusedInPart('A'))).rejects.toThrow(/larger than the max message size/);
    // A caller that kept the object: the send goes to the successor (the old numbers were taken back).
    await producer.send({ topic, messages: [{ partition: 1, value: 'C' }], acks: -1 });
    expect(await storedValues()).toEqual(expect.arrayContaining(['A', 'C']));
    await (await client.producer()).send({ topic, messages: [{ partition: 1, value: 'D' }], acks: -1 });
    expect(await storedValues()).toEqual(expect.arrayContaining(['A', 'C', 'D']));
    // The failed producer was closed (no leak), and not before its successor had connected (health never saw none).
    await waitFor(() => closes.length > 0, { timeoutMs: 10_000, description: 'the failed producer to be closed' });
    expect(closes).toEqual([{ connectedAfter: true }]);
  }, 60_000);
});
