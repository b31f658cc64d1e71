import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  decodeEnvelope,
  encodeEnvelope,
  KafkaClient,
  KafkaConfigurationException,
  KafkaConnectionException,
  KafkaHealthIndicator,
  KafkaModule,
  MessageDecodeException,
  TributaryHeaders,
  type ConsumedBatch,
  type EventEnvelope,
} from '@tributary/kafka';
import { testBrokers, uniqueName, waitFor } from '@tributary/testing';
import { ConfigResourceTypes } from 'kafkajs';
import { randomUUID } from 'node:crypto';

async function bootKafka(serviceName = 'kafka-e2e', extra: Record<string, unknown> = {}) {
  const moduleRef = await Test.createTestingModule({
    imports: [KafkaModule.forRoot({ brokers: testBrokers(), serviceName, ...extra })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

function envelopeFor(key: string, payload: unknown): EventEnvelope {
  return {
    eventId: randomUUID(),
    type: 'test.thing-happened',
    version: 1,
    key,
    occurredAt: new Date().toISOString(),
    source: 'kafka-e2e',
    contentType: 'application/json',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    headers: { tenant: 'acme' },
    payload,
  };
}

describe('@tributary/kafka against a real broker', () => {
  it('round-trips keyed messages with envelope headers through producer and consumer runner', async () => {
    const app = await bootKafka();
    const client = app.get(KafkaClient);
    const topic = uniqueName('kafka-roundtrip');
    await client.admin.ensureTopics([{ topic, numPartitions: 3 }]);

    const received: Array<{ partition: number; envelope: EventEnvelope }> = [];
    let assigned: Record<string, number[]> = {};
    const runner = client.createConsumer({
      groupId: uniqueName('g'),
      topics: [topic],
      fromBeginning: true,
      onAssigned: (assignment) => {
        assigned = assignment;
      },
      eachBatch: async (batch: ConsumedBatch) => {
        for (const message of batch.messages) {
          received.push({ partition: batch.partition, envelope: decodeEnvelope(message) });
          batch.resolveOffset(message.offset);
        }
        await batch.commitOffsetsIfNecessary();
      },
    });
    await runner.start();

    const sent = Array.from({ length: 30 }, (_, i) => envelopeFor(`key-${i % 5}`, { seq: i }));
    const producer = await client.producer();
    await producer.send({ topic, acks: -1, messages: sent.map((e) => encodeEnvelope(e)) });

    await waitFor(() => received.length === sent.length, { description: '30 messages', timeoutMs: 60_000 });
    expect(assigned[topic]?.sort()).toEqual([0, 1, 2]);
    for (const original of sent) {
      const got = received.find((r) => r.envelope.eventId === original.eventId)!.envelope;
      expect(got).toEqual(original);
    }
    // Same key, same partition, same order.
    for (let k = 0; k < 5; k++) {
      const forKey = received.filter((r) => r.envelope.key === `key-${k}`);
      expect(new Set(forKey.map((r) => r.partition)).size).toBe(1);
      expect(forKey.map((r) => (r.envelope.payload as { seq: number }).seq)).toEqual(
        sent.filter((e) => e.key === `key-${k}`).map((e) => (e.payload as { seq: number }).seq),
      );
    }
    expect(await app.get(KafkaHealthIndicator).isHealthy('kafka')).toEqual({
      kafka: { status: 'up', brokers: 1, producerConnected: true },
    });
    await app.close();
    expect(runner.isRunning).toBe(false);
  });

  it('ensures topics idempotently, compacted where asked', async () => {
    const app = await bootKafka();
    const client = app.get(KafkaClient);
    const compacted = uniqueName('kafka-compacted');
    const plain = uniqueName('kafka-plain');
    const specs = [
      { topic: compacted, numPartitions: 2, compacted: true },
      { topic: plain, configEntries: { 'retention.ms': '3600000' } },
    ];
    await client.admin.ensureTopics(specs);
    await client.admin.ensureTopics(specs); // second call: no error, nothing changes
    const admin = await client.admin.client();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: compacted, configNames: ['cleanup.policy'] },
        { type: ConfigResourceTypes.TOPIC, name: plain, configNames: ['cleanup.policy', 'retention.ms'] },
      ],
    });
    const value = (topic: string, name: string) =>
      resources.find((r) => r.resourceName === topic)!.configEntries.find((c) => c.configName === name)!.configValue;
    expect(value(compacted, 'cleanup.policy')).toBe('compact');
    expect(value(plain, 'cleanup.policy')).toBe('delete');
    expect(value(plain, 'retention.ms')).toBe('3600000');
    const watermarks = await client.admin.highWatermarks(compacted);
    expect([...watermarks.keys()].sort()).toEqual([0, 1]);
    await app.close();
  });

  it('reports a malformed message as a typed decode error, and the consumer keeps going', async () => {
    const app = await bootKafka();
    const client = app.get(KafkaClient);
    const topic = uniqueName('kafka-malformed');
    await client.admin.ensureTopics([{ topic }]);
    const decoded: string[] = [];
    const failures: MessageDecodeException[] = [];
    const runner = client.createConsumer({
      groupId: uniqueName('g'),
      topics: [topic],
      fromBeginning: true,
      eachBatch: async (batch) => {
        for (const message of batch.messages) {
          try {
            decoded.push(decodeEnvelope(message).eventId);
          } catch (e) {
            if (!(e instanceof MessageDecodeException)) throw e;
            failures.push(e);
          }
          batch.resolveOffset(message.offset);
        }
      },
    });
    await runner.start();
    const good = envelopeFor('k', { ok: true });
    const producer = await client.producer();
    await producer.send({
      topic,
      messages: [
        { key: 'k', value: '{not json', headers: { ...encodeEnvelope(good).headers } },
        { key: 'k', value: 'plain text without headers' },
        encodeEnvelope(good),
      ],
    });
    await waitFor(() => decoded.length === 1 && failures.length === 2, { description: 'one good, two bad' });
    expect(failures.map((f) => f.reason).sort()).toEqual(['malformed-payload', 'missing-header']);
    expect(decoded).toEqual([good.eventId]);
    await app.close();
  });

  it('restarts a consumer that crashed with an error kafkajs does not retry, and redelivers', async () => {
    const app = await bootKafka();
    const client = app.get(KafkaClient);
    const topic = uniqueName('kafka-crash');
    await client.admin.ensureTopics([{ topic }]);
    const seen: string[] = [];
    const crashes: boolean[] = [];
    let failed = false;
    const runner = client.createConsumer({
      groupId: uniqueName('g'),
      topics: [topic],
      fromBeginning: true,
      maxRestartDelayMs: 500,
      onCrash: (_error, restarting) => crashes.push(restarting),
      eachBatch: async (batch) => {
        if (!failed) {
          failed = true;
          throw Object.assign(new Error('handler bug'), { retriable: false });
        }
        for (const message of batch.messages) {
          seen.push(message.value!.toString());
          batch.resolveOffset(message.offset);
        }
      },
    });
    await runner.start();
    const producer = await client.producer();
    await producer.send({ topic, messages: [{ value: 'first' }] });
    await waitFor(() => seen.includes('first'), { timeoutMs: 30_000, description: 'redelivery after the crash' });
    expect(crashes).toEqual([true]);
    expect(runner.isRunning).toBe(true);
    await app.close();
  });

  it('fails bootstrap within the configured bound when the broker is unreachable', async () => {
    const started = Date.now();
    const moduleRef = await Test.createTestingModule({
      imports: [KafkaModule.forRoot({ brokers: ['127.0.0.1:1'], serviceName: 'nowhere', connectTimeoutMs: 2000, retry: { retries: 1 } })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(KafkaConnectionException);
    await app.close();
    // Generous bound: the point is that it does not retry forever.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('fails bootstrap on misconfiguration with a message that says what to fix', async () => {
    const compile = (options: Record<string, unknown>) =>
      Test.createTestingModule({ imports: [KafkaModule.forRoot(options as never)] }).compile();
    await expect(compile({ brokers: 'not a broker', serviceName: 'x' })).rejects.toThrow(KafkaConfigurationException);
    await expect(compile({ brokers: [], serviceName: 'x' })).rejects.toThrow(/Pass at least one "host:port"/);
    await expect(compile({ brokers: testBrokers(), serviceName: 'x', brokerList: 'y' })).rejects.toThrow(/unknown option/);
  });

  it('supports forRootAsync with an injected factory', async () => {
    @Module({ providers: [{ provide: 'BROKERS', useValue: testBrokers().join(',') }], exports: ['BROKERS'] })
    class ConfigModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        KafkaModule.forRootAsync({
          imports: [ConfigModule],
          inject: ['BROKERS'],
          useFactory: (brokers: string) => ({ brokers, serviceName: 'async-service' }),
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const client = app.get(KafkaClient);
    expect(client.serviceName).toBe('async-service');
    expect(await client.ping()).toBe(1);
    await app.close();
  });

  it('closes every socket and timer on app.close()', async () => {
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    const before = sockets();
    const app = await bootKafka();
    const client = app.get(KafkaClient);
    const topic = uniqueName('kafka-close');
    await client.admin.ensureTopics([{ topic }]);
    let joined = false;
    const runner = client.createConsumer({
      groupId: uniqueName('g'),
      topics: [topic],
      onAssigned: () => {
        joined = true;
      },
      eachBatch: async () => undefined,
    });
    await runner.start();
    await waitFor(() => joined, { description: 'consumer to join' });
    expect(sockets()).toBeGreaterThan(before);
    await app.close();
    await waitFor(() => sockets() <= before, { timeoutMs: 10_000, description: 'sockets to close' });
    expect(client.producerConnected).toBe(false);
  });

  it('writes the envelope header names documented in the README', () => {
    const message = encodeEnvelope(envelopeFor('k', {}));
    expect(Object.keys(message.headers!).sort()).toEqual(
      [...Object.values(TributaryHeaders), 'tenant'].sort(),
    );
  });
});
