import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { KafkaClient } from '@tributary/kafka';
import { OutboxHealthIndicator, OutboxPublisher, OutboxRelay } from '@tributary/outbox';
import { TopicCapture, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { checkDelivery, databaseOptions, defineOrderEvent, startOutboxApp } from './outbox-test.fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkaTool = require('../../../tools/kafka/kafka.js') as {
  start(o: { name: string; port: number; fresh?: boolean }): Promise<{ brokers: string[] }>;
  stop(o: { name: string }): Promise<void>;
  startNode(o: { name: string; node: number }): Promise<unknown>;
};

/** A private broker (ports 19300 and 20300, in this suite's range) that the test stops and restarts. */
const CLUSTER = 'outbox-outage';

describe('outbox relay across Kafka and database outages (PostgreSQL)', () => {
  const topic = uniqueName('outbox-outage');
  const tableName = uniqueIdentifier('outbox_outage');
  const OrderPlaced = defineOrderEvent(topic);
  const applicationName = uniqueName('outbox-outage-app');
  const registry = new Registry();
  let brokers: string[];
  let app: INestApplicationContext;
  let dataSource: DataSource;

  beforeAll(async () => {
    ({ brokers } = await kafkaTool.start({ name: CLUSTER, port: 19300, fresh: true }));
    app = await startOutboxApp({
      brokers,
      database: { ...databaseOptions('postgres'), applicationName } as never,
      kafka: { metrics: { registry, defaultMetrics: false }, connectTimeoutMs: 3000, requestTimeout: 5000, retry: { retries: 2, initialRetryTime: 100 } },
      outbox: {
        tableName,
        lanes: 8,
        ensureSchema: true,
        relay: { outageBackoff: { initialMs: 200, maxMs: 2000 } },
      },
    });
    dataSource = app.get(getDataSourceToken());
    await app.get(KafkaClient).admin.ensureTopics([{ topic, numPartitions: 3 }]);
  }, 180_000);

  afterAll(async () => {
    await dataSource?.query(`DROP TABLE IF EXISTS "${tableName}_lanes", "${tableName}"`).catch(() => undefined);
    await app?.close();
    await kafkaTool.stop({ name: CLUSTER });
  }, 60_000);

  const published = new Map<string, { key: string; seq: number }>();
  let seq = 0;
  const publishRound = async (rounds: number) => {
    for (let r = 0; r < rounds; r++, seq++) {
      const batch = Array.from({ length: 20 }, (_, i) => new OrderPlaced({ orderId: `key-${i}`, seq }));
      const ids = await dataSource.transaction((m) => app.get(OutboxPublisher).publish(m, batch));
      ids.forEach((id, i) => published.set(id, { key: batch[i].orderId, seq }));
    }
  };
  const expectAllDelivered = async (label: string) => {
    const capture = await TopicCapture.start(brokers, [topic]);
    try {
      await waitFor(() => new Set(capture.messages.map((m) => m.headers['tributary-event-id'])).size >= published.size, {
        timeoutMs: 60_000,
        description: `${published.size} distinct events`,
      });
      const report = checkDelivery(capture.messages, published);
      console.log(`outbox ${label}: ${published.size} published, ${report.received} received, ${report.duplicates} duplicates`);
      expect(report.missing).toEqual([]);
      expect(report.outOfOrder).toEqual([]);
    } finally {
      await capture.stop();
    }
  };

  it('loses nothing while the broker is down and resumes unaided when it is back', async () => {
    const relay = app.get(OutboxRelay);

    await publishRound(25);
    await waitFor(async () => (await relay.metrics()).pending === 0, { description: 'the first 500 events shipped' });

    await kafkaTool.stop({ name: CLUSTER });
    await publishRound(25);
    await waitFor(async () => !(await relay.metrics()).brokerAvailable, { timeoutMs: 60_000, description: 'the relay to notice the outage' });
    const during = await app.get(OutboxHealthIndicator).isHealthy();
    expect(during.outbox.status).toBe('down');
    expect((await relay.metrics()).pending).toBeGreaterThan(0);
    const failures = await registry.getSingleMetric('tributary_outbox_send_failures_total')!.get();
    const byReason = (reason: string) => failures.values.find((v) => v.labels.table === tableName && v.labels.reason === reason)?.value;
    expect(byReason('broker')).toBeGreaterThan(0);
    expect(byReason('refused')).toBeUndefined();
    // Past the first failed sends, batches find no producer that can connect: still a Kafka outage, not a database one.
    const noticed = (await relay.metrics()).outagesTotal;
    await waitFor(async () => (await relay.metrics()).outagesTotal >= noticed + 6, { timeoutMs: 60_000, description: 'six more outage pauses' });
    const outages = await registry.getSingleMetric('tributary_outbox_relay_outages_total')!.get();
    const byKind = (kind: string) => outages.values.find((v) => v.labels.table === tableName && v.labels.kind === kind)?.value;
    expect(byKind('kafka')).toBeGreaterThanOrEqual(noticed + 6);
    expect(byKind('database')).toBeUndefined();

    await kafkaTool.startNode({ name: CLUSTER, node: 1 });
    await publishRound(25);
    await waitFor(async () => (await relay.metrics()).pending === 0, { timeoutMs: 90_000, description: 'the backlog to drain after the restart' });
    expect((await app.get(OutboxHealthIndicator).isHealthy()).outbox.status).toBe('up');

    await expectAllDelivered('broker outage');
  }, 240_000);

  it('recovers unaided when its database connections are killed', async () => {
    const relay = app.get(OutboxRelay);
    await waitFor(async () => (await relay.metrics()).listening, { description: 'the LISTEN connection' });
    const killed = await waitFor(async () => {
      const rows = (await dataSource.query(
        'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
        [applicationName],
      )) as unknown[];
      return rows.length > 0 ? rows.length : undefined;
    });
    expect(killed).toBeGreaterThan(0);
    // The pool replaces dead connections; the LISTEN connection reconnects with backoff and rescans.
    await waitFor(
      async () => {
        await publishRound(1);
        return true;
      },
      { description: 'publishing to work again' },
    );
    await publishRound(10);
    await waitFor(async () => (await relay.metrics()).pending === 0, { timeoutMs: 60_000, description: 'the relay to drain' });
    await waitFor(async () => (await relay.metrics()).listening, { description: 'LISTEN to be back' });
    await expectAllDelivered('database connections killed');
  }, 120_000);
});
