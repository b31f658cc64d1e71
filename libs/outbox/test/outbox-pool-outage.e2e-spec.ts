/*
 * A Kafka outage must not starve the application's connection pool: the relay holds no pooled
 * connection (and no lane lock) during a Kafka send, so the app's own transactions on the same
 * DataSource (a pool of 4, as many as the relay's workers) keep committing while the broker hangs
 * (SIGSTOP: requests wait for their timeout) and while it is down (connections refused).
 */
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { KafkaClient } from '@tributary/kafka';
import { OutboxPublisher, OutboxRelay } from '@tributary/outbox';
import { TopicCapture, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import type { DataSource } from 'typeorm';
import { checkDelivery, databaseOptions, defineOrderEvent, startOutboxApp } from './outbox-test.fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkaTool = require('../../../tools/kafka/kafka.js') as {
  start(o: { name: string; port: number; fresh?: boolean }): Promise<{ brokers: string[] }>;
  stop(o: { name: string }): Promise<void>;
  startNode(o: { name: string; node: number }): Promise<unknown>;
  status(o: { name: string }): { nodes: Array<{ pid: number | null }> };
};

/** A private broker (ports 19560 and 20560) that the test freezes, stops and restarts. */
const CLUSTER = 'outbox-pool-outage';
const POOL = 4;
/** An app transaction slower than this (or failing) counts as starved; normal ones take milliseconds. */
const STARVED_MS = 3000;

describe('app transactions during a Kafka outage, relay running on the same small pool (PostgreSQL)', () => {
  const topic = uniqueName('outbox-pool');
  const tableName = uniqueIdentifier('outbox_pool');
  const ordersTable = uniqueIdentifier('orders_pool');
  const OrderPlaced = defineOrderEvent(topic);
  const published = new Map<string, { key: string; seq: number }>();
  let brokers: string[];
  let app: INestApplicationContext;
  let dataSource: DataSource;
  let frozenPid: number | undefined;

  const brokerPid = () => kafkaTool.status({ name: CLUSTER }).nodes[0]?.pid ?? undefined;

  beforeAll(async () => {
    ({ brokers } = await kafkaTool.start({ name: CLUSTER, port: 19560, fresh: true }));
    app = await startOutboxApp({
      brokers,
      database: { ...databaseOptions('postgres'), poolSize: POOL, extra: { max: POOL, connectionTimeoutMillis: 10_000 } } as never,
      kafka: { connectTimeoutMs: 3000, requestTimeout: 10_000 },
      // Small lane groups: the backlog keeps all four workers busy at once.
      outbox: { tableName, ensureSchema: true, relay: { concurrency: POOL, lanesPerBatch: 4, outageBackoff: { initialMs: 200, maxMs: 2000 } } },
    });
    dataSource = app.get(getDataSourceToken());
    await dataSource.query(`CREATE TABLE "${ordersTable}" (id VARCHAR(64) PRIMARY KEY)`);
    await app.get(KafkaClient).admin.ensureTopics([{ topic, numPartitions: 3 }]);
  }, 180_000);

  afterAll(async () => {
    if (frozenPid) process.kill(frozenPid, 'SIGCONT');
    await dataSource?.query(`DROP TABLE IF EXISTS "${ordersTable}", "${tableName}_meta", "${tableName}_lanes", "${tableName}"`).catch(() => undefined);
    await app?.close();
    await kafkaTool.stop({ name: CLUSTER });
  }, 120_000);

  let order = 0;
  /** One business transaction: an order row and its event, as an app writes them. */
  const placeOrder = async (key: string, seq: number) => {
    const id = `order-${order++}`;
    const [eventId] = await dataSource.transaction(async (m) => {
      await m.query(`INSERT INTO "${ordersTable}" (id) VALUES ($1)`, [id]);
      return app.get(OutboxPublisher).publish(m, new OrderPlaced({ orderId: key, seq }));
    });
    published.set(eventId, { key, seq });
  };
  /** A backlog over 64 keys (so the relay runs all its workers), seqs `from` to `to`, in one transaction. */
  const publishBacklog = async (from: number, to: number) => {
    const batch = Array.from({ length: to - from }, (_, s) => Array.from({ length: 64 }, (_, i) => new OrderPlaced({ orderId: `key-${i}`, seq: from + s }))).flat();
    const ids = await dataSource.transaction((m) => app.get(OutboxPublisher).publish(m, batch));
    ids.forEach((id, i) => published.set(id, { key: batch[i].orderId, seq: batch[i].seq }));
  };
  /** `count` app transactions, one at a time, 100 ms apart; the slow or failed ones. */
  const appTransactions = async (count: number, seq: number) => {
    const starved: string[] = [];
    const durations: number[] = [];
    for (let i = 0; i < count; i++) {
      const startedAt = Date.now();
      try {
        await placeOrder(`key-${i % 64}`, seq);
        const took = Date.now() - startedAt;
        durations.push(took);
        if (took > STARVED_MS) starved.push(`#${i} took ${took} ms`);
      } catch (e) {
        starved.push(`#${i} failed after ${Date.now() - startedAt} ms: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    durations.sort((a, b) => a - b);
    return { starved, p50: durations[Math.floor(durations.length / 2)] ?? NaN, max: durations[durations.length - 1] ?? NaN };
  };

  it('keeps committing 50 app transactions within their normal time while the broker hangs, then while it is down; nothing lost', async () => {
    const relay = app.get(OutboxRelay);
    await publishBacklog(0, 1);
    await waitFor(async () => (await relay.metrics()).pending === 0, { timeoutMs: 60_000, description: 'the first events shipped' });

    // Hung broker: TCP still accepts, nothing answers; every send waits for requestTimeout.
    frozenPid = brokerPid();
    expect(frozenPid).toBeGreaterThan(0);
    process.kill(frozenPid!, 'SIGSTOP');
    // The relay wakes at once and its four workers send (and hang) while the app goes on.
    await publishBacklog(1, 6);
    const hung = await appTransactions(50, 100);
    expect((await relay.metrics()).pending).toBeGreaterThan(0);

    // Broker down: connections refused.
    process.kill(frozenPid!, 'SIGCONT');
    frozenPid = undefined;
    await kafkaTool.stop({ name: CLUSTER });
    // Rows to send while it is down: the relay may have shipped the whole backlog between SIGCONT and the stop.
    await publishBacklog(101, 102);
    await waitFor(async () => !(await relay.metrics()).brokerAvailable, { timeoutMs: 60_000, description: 'the relay to notice the outage' });
    const down = await appTransactions(50, 102);
    console.log(
      `outbox pool outage: app transactions while the broker hung p50 ${hung.p50} ms, max ${hung.max} ms, ${hung.starved.length} starved; ` +
        `while it was down p50 ${down.p50} ms, max ${down.max} ms, ${down.starved.length} starved`,
    );
    expect(hung.starved).toEqual([]);
    expect(down.starved).toEqual([]);

    await kafkaTool.startNode({ name: CLUSTER, node: 1 });
    await waitFor(async () => (await relay.metrics()).pending === 0, { timeoutMs: 120_000, description: 'the backlog to drain after the restart' });
    const capture = await TopicCapture.start(brokers, [topic]);
    try {
      await waitFor(() => new Set(capture.messages.map((m) => m.headers['tributary-event-id'])).size >= published.size, {
        timeoutMs: 60_000,
        description: `${published.size} distinct events`,
      });
      const report = checkDelivery(capture.messages, published);
      expect(report.missing).toEqual([]);
      expect(report.outOfOrder).toEqual([]);
    } finally {
      await capture.stop();
    }
  }, 300_000);
});
