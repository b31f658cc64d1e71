import { Test } from '@nestjs/testing';
import { KafkaClient, KafkaModule } from '@tributary/kafka';
import { TopicCapture, uniqueName, waitFor } from '@tributary/testing';
import type { INestApplication } from '@nestjs/common';

// The broker tool is plain JavaScript shared with the npm scripts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkaTool = require('../../../tools/kafka/kafka.js') as {
  start(o: object): Promise<{ brokers: string[] }>;
  stop(o: object): Promise<void>;
  startNode(o: object): Promise<{ brokers: string[] }>;
  status(o: object): { nodes: Array<{ id: number; running: boolean }> };
};

const CLUSTER_PORT = Number(process.env.TRIBUTARY_TEST_CLUSTER_PORT || 19192);
// The name carries the port: a fresh start stops whatever runs under the same name, so two runs on
// different ports (two people on one machine) must not share it.
const CLUSTER = {
  name: CLUSTER_PORT === 19192 ? 'test-cluster' : `test-cluster-${CLUSTER_PORT}`,
  port: CLUSTER_PORT,
  nodes: 3,
};

describe('3-broker KRaft cluster on loopback', () => {
  let brokers: string[];
  let app: INestApplication | undefined;

  beforeAll(async () => {
    ({ brokers } = await kafkaTool.start({ ...CLUSTER, fresh: true }));
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await kafkaTool.stop({ name: CLUSTER.name });
  }, 60_000);

  it('starts three brokers that all see each other', async () => {
    expect(brokers).toHaveLength(3);
    expect(kafkaTool.status({ name: CLUSTER.name }).nodes.every((n) => n.running)).toBe(true);
  });

  it('keeps every acks=all write when one broker is stopped mid-stream and restarted', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        KafkaModule.forRoot({
          brokers,
          serviceName: 'cluster-e2e',
          requestTimeout: 10_000,
          retry: { retries: 20, initialRetryTime: 200, maxRetryTime: 2000 },
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const client = app.get(KafkaClient);
    const topic = uniqueName('cluster-acks-all');
    await client.admin.ensureTopics([
      { topic, numPartitions: 3, replicationFactor: 3, configEntries: { 'min.insync.replicas': '2' } },
    ]);
    const producer = await client.producer();
    const total = 300;
    for (let i = 0; i < total; i++) {
      if (i === 100) await kafkaTool.stop({ name: CLUSTER.name, node: 2 });
      if (i === 200) await kafkaTool.startNode({ name: CLUSTER.name, node: 2 });
      // A send that is not acknowledged by the in-sync replicas rejects and fails the test here.
      await producer.send({ topic, acks: -1, messages: [{ key: `k${i % 7}`, value: String(i) }] });
    }

    // Every record in the log, duplicates included: the sum of the partitions' watermark spans.
    const high = await client.admin.highWatermarks(topic);
    const low = await client.admin.lowWatermarks(topic);
    let inLog = 0;
    for (const [partition, h] of high) inLog += Number(h - (low.get(partition) ?? 0n));

    const capture = await TopicCapture.start(brokers, [topic], 60_000);
    const messages = await capture.waitForCount(Math.max(total, inLog), 60_000);
    await capture.stop();
    const values = messages.map((m) => Number(m.value!.toString()));
    // Idempotent producer: each value exactly once, none lost and none written twice by a retry.
    expect(inLog).toBe(total);
    expect(values).toHaveLength(total);
    expect(new Set(values).size).toBe(values.length);
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    for (let k = 0; k < 7; k++) {
      const forKey = messages.filter((m) => m.key === `k${k}`).map((m) => Number(m.value!.toString()));
      expect(forKey).toEqual([...forKey].sort((a, b) => a - b));
    }
    await waitFor(async () => (await client.ping()) === 3, { timeoutMs: 60_000, description: 'broker 2 to rejoin' });
  }, 240_000);
});
