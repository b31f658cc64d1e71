/*
 * End to end across two services: "orders" writes orders and publishes OrderPlaced through the
 * transactional outbox; "billing" keeps a projection of them. Events cross a broker restart
 * (a private broker, ports 19400/20400) and each appears in the projection exactly once, in
 * per-key order; a rolled-back transaction publishes nothing.
 */
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { IntegrationEvent, KafkaModule } from '@tributary/kafka';
import { OutboxModule, OutboxPublisher, OutboxRelay } from '@tributary/outbox';
import { On, Projection, ProjectionsModule, ProjectionsService, type ProjectionContext } from '@tributary/projections';
import { postgresUrl, uniqueIdentifier, uniqueName, waitFor } from '@tributary/testing';
import { IsInt, IsString } from 'class-validator';
import type { DataSource } from 'typeorm';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkaTool = require('../tools/kafka/kafka.js') as {
  start(o: { name: string; port: number; fresh?: boolean }): Promise<{ brokers: string[] }>;
  stop(o: { name: string }): Promise<void>;
  startNode(o: { name: string; node: number }): Promise<unknown>;
};

const CLUSTER = 'projections-e2e';
const topic = uniqueName('orders-events');
const ordersTable = uniqueIdentifier('orders');
const outboxTable = uniqueIdentifier('orders_outbox');
const billingTable = uniqueIdentifier('billing_orders');
const projectionName = uniqueName('billing-orders');

@IntegrationEvent({ type: `orders.order-placed.${topic}`, topic, key: 'customerId' })
class OrderPlaced {
  @IsString() orderId!: string;
  @IsString() customerId!: string;
  @IsInt() seq!: number;
  @IsInt() amount!: number;
}

/** The billing service's read model: one row per order, with the order in which it was applied. */
@Projection({ name: projectionName, tables: [billingTable] })
class BillingOrders {
  private applied = 0;

  @On(OrderPlaced)
  async placed(event: OrderPlaced, { manager, eventId }: ProjectionContext): Promise<void> {
    await manager.query(
      `INSERT INTO ${billingTable} (order_id, customer_id, seq, amount, event_id, applied_order) VALUES ($1, $2, $3, $4, $5, $6)`,
      [event.orderId, event.customerId, event.seq, event.amount, eventId, ++this.applied],
    );
  }
}

const kafkaOptions = (brokers: string[], serviceName: string) =>
  KafkaModule.forRoot({
    brokers,
    serviceName,
    logLevel: 'nothing',
    connectTimeoutMs: 5000,
    requestTimeout: 5000,
    retry: { retries: 5, initialRetryTime: 200 },
  });

async function ordersService(brokers: string[]): Promise<INestApplicationContext> {
  @Module({
    imports: [
      kafkaOptions(brokers, 'orders'),
      TypeOrmModule.forRoot({ type: 'postgres', url: postgresUrl(), poolSize: 4 }),
      OutboxModule.forRoot({
        tableName: outboxTable,
        lanes: 8,
        ensureSchema: true,
        events: [OrderPlaced],
        relay: { outageBackoff: { initialMs: 200, maxMs: 2000 } },
      }),
    ],
  })
  class OrdersModule {}
  return NestFactory.createApplicationContext(OrdersModule, { logger: ['error'], abortOnError: false });
}

async function billingService(brokers: string[]): Promise<INestApplicationContext> {
  @Module({
    imports: [
      kafkaOptions(brokers, 'billing'),
      TypeOrmModule.forRoot({ type: 'postgres', url: postgresUrl(), poolSize: 4 }),
      // No dataSource option: the projections take TypeOrmModule's DataSource.
      ProjectionsModule.forRoot({ consumer: { sessionTimeout: 10_000, heartbeatInterval: 1000 } }),
    ],
    providers: [BillingOrders],
  })
  class BillingModule {}
  return NestFactory.createApplicationContext(BillingModule, { logger: ['error'], abortOnError: false });
}

describe('outbox to projection across services and a broker restart', () => {
  let orders: INestApplicationContext | undefined;
  let billing: INestApplicationContext | undefined;
  let ordersDb: DataSource;
  let billingDb: DataSource;
  let seq = 0;
  const placed: Array<{ orderId: string; customerId: string; seq: number }> = [];

  /** One business transaction per order: the order row and its event, atomically. */
  async function placeOrders(count: number): Promise<void> {
    const outbox = orders!.get(OutboxPublisher);
    for (let i = 0; i < count; i++, seq++) {
      const order = { orderId: `o-${seq}`, customerId: `customer-${seq % 7}`, seq, amount: 10 + (seq % 5) };
      await ordersDb.transaction(async (manager) => {
        await manager.query(`INSERT INTO ${ordersTable} (order_id, customer_id, amount) VALUES ($1, $2, $3)`, [order.orderId, order.customerId, order.amount]);
        await outbox.publish(manager, Object.assign(new OrderPlaced(), order));
      });
      placed.push(order);
    }
  }

  async function billingRows(): Promise<Array<{ order_id: string; customer_id: string; seq: number; applied_order: number }>> {
    return billingDb.query(`SELECT order_id, customer_id, seq, applied_order FROM ${billingTable} ORDER BY applied_order`);
  }

  beforeAll(async () => {
    const { brokers } = await kafkaTool.start({ name: CLUSTER, port: 19400, fresh: true });
    orders = await ordersService(brokers);
    ordersDb = orders.get(getDataSourceToken());
    await ordersDb.query(`CREATE TABLE ${ordersTable} (order_id varchar(50) PRIMARY KEY, customer_id varchar(50) NOT NULL, amount integer NOT NULL)`);
    // The relay creates nothing on Kafka: the orders service owns its topic.
    const { Kafka, logLevel } = await import('kafkajs');
    const admin = new Kafka({ clientId: 'e2e-admin', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    const billingDs = await import('typeorm').then(({ DataSource }) => new DataSource({ type: 'postgres', url: postgresUrl() }).initialize());
    await billingDs.query(
      `CREATE TABLE ${billingTable} (order_id varchar(50) NOT NULL, customer_id varchar(50) NOT NULL, seq integer NOT NULL,` +
        ' amount integer NOT NULL, event_id varchar(100) NOT NULL, applied_order integer NOT NULL)',
    );
    await billingDs.destroy();
    billing = await billingService(brokers);
    billingDb = billing.get(getDataSourceToken());
  }, 180_000);

  afterAll(async () => {
    await billing?.close();
    await orders?.close();
    const cleanup = await import('typeorm').then(({ DataSource }) => new DataSource({ type: 'postgres', url: postgresUrl() }).initialize());
    for (const table of [billingTable, ordersTable, outboxTable, `${outboxTable}_lanes`]) {
      await cleanup.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    }
    await cleanup.query('DELETE FROM tributary_projection_inbox WHERE projection = $1', [projectionName]).catch(() => undefined);
    await cleanup.query('DELETE FROM tributary_projection_checkpoints WHERE projection = $1', [projectionName]).catch(() => undefined);
    await cleanup.destroy();
    await kafkaTool.stop({ name: CLUSTER });
  }, 60_000);

  it('applies every committed order once, in per-customer order, across a broker restart', async () => {
    await placeOrders(40);
    // A transaction that rolls back publishes nothing.
    await expect(
      ordersDb.transaction(async (manager) => {
        await orders!.get(OutboxPublisher).publish(manager, Object.assign(new OrderPlaced(), { orderId: 'rolled-back', customerId: 'x', seq: -1, amount: 1 }));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    await waitFor(async () => (await billingRows()).length === 40, { timeoutMs: 60_000, description: 'the first 40 orders in billing' });

    await kafkaTool.stop({ name: CLUSTER });
    await placeOrders(40); // written while Kafka is down: they wait in the outbox
    expect((await orders!.get(OutboxRelay).metrics()).pending).toBeGreaterThan(0);
    await kafkaTool.startNode({ name: CLUSTER, node: 1 });
    await placeOrders(20);

    await waitFor(async () => (await billingRows()).length >= placed.length, { timeoutMs: 120_000, description: `${placed.length} orders in billing` });
    await waitFor(async () => (await billing!.get(ProjectionsService).status(projectionName)).lag === 0, {
      timeoutMs: 60_000,
      description: 'billing to catch up',
    });
    const rows = await billingRows();
    // No unique key on the billing table: a double apply would show here as a repeated order.
    expect(rows).toHaveLength(placed.length);
    expect(rows.map((r) => r.order_id).sort()).toEqual(placed.map((o) => o.orderId).sort());
    const seqsByCustomer = new Map<string, number[]>();
    for (const r of rows) seqsByCustomer.set(r.customer_id, [...(seqsByCustomer.get(r.customer_id) ?? []), Number(r.seq)]);
    for (const seqs of seqsByCustomer.values()) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(rows.some((r) => r.order_id === 'rolled-back')).toBe(false);
  }, 240_000);
});
