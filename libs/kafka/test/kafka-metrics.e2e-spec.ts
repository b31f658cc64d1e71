import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { KafkaClient, KafkaModule, type KafkaConsumerRunner } from '@tributary/kafka';
import { testBrokers, uniqueName, waitFor } from '@tributary/testing';
import { Registry } from 'prom-client';

/** Value of a counter series on `registry`; 0 when absent. */
async function counterValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value ?? 0;
}

describe('kafka metrics (real broker)', () => {
  const registry = new Registry();
  const serviceName = uniqueName('kafka-metrics');
  let app: INestApplication;
  let client: KafkaClient;
  const runners: KafkaConsumerRunner[] = [];

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [KafkaModule.forRoot({ brokers: testBrokers(), serviceName, logLevel: 'nothing', metrics: { registry, defaultMetrics: false } })],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    client = app.get(KafkaClient);
  });

  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await app?.close();
  });

  it('counts group joins: the first member once, then a rejoin and a join when a second member arrives', async () => {
    const topic = uniqueName('rebalance');
    const groupId = uniqueName('rebalance-group');
    await client.admin.ensureTopics([{ topic, numPartitions: 2 }]);
    const assignments = new Map<number, number[]>();
    const member = (n: number) => {
      const runner = client.createConsumer({
        groupId,
        topics: [topic],
        sessionTimeout: 6000,
        heartbeatInterval: 300,
        onAssigned: (assignment) => void assignments.set(n, assignment[topic] ?? []),
        eachBatch: async () => undefined,
      });
      runners.push(runner);
      return runner;
    };
    const rebalances = () => counterValue(registry, 'tributary_kafka_consumer_rebalances_total', { messaging_consumer_group_name: groupId });

    await member(1).start();
    await waitFor(async () => (await rebalances()) === 1, { description: 'the first member to join' });
    await member(2).start();
    await waitFor(async () => (await rebalances()) >= 3, { timeoutMs: 30_000, description: 'a rejoin of the first member and a join of the second' });
    await waitFor(() => assignments.get(1)?.length === 1 && assignments.get(2)?.length === 1, { description: 'one partition each' });
  });

  it('counts a send the broker refuses (message above max.message.bytes), not the ones it accepts', async () => {
    const topic = uniqueName('too-large');
    await client.admin.ensureTopics([{ topic, numPartitions: 1, configEntries: { 'max.message.bytes': '1024' } }]);
    const producer = await client.producer();
    const sendErrors = () => counterValue(registry, 'tributary_kafka_producer_send_errors_total', { service: serviceName });

    await producer.send({ topic, messages: [{ value: 'small' }] });
    expect(await sendErrors()).toBe(0);
    await expect(producer.send({ topic, messages: [{ value: 'x'.repeat(20_000) }] })).rejects.toThrow(/larger than the max message size/);
    expect(await sendErrors()).toBe(1);
    await expect(producer.sendBatch({ topicMessages: [{ topic, messages: [{ value: 'y'.repeat(20_000) }] }] })).rejects.toThrow();
    expect(await sendErrors()).toBe(2);
  });
});
