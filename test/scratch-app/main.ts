// A Nest app outside the Tributary repo, built only from the packed @tributary/* tarballs. One run:
// an order and its OrderPlaced event are written in one transaction through the outbox, the relay
// ships the event to Kafka, a projection applies it to a read model, and an RPC call over Kafka is
// answered from that read model. Prints `SCRATCH_RESULT <json>` for the packaging test to check.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { OutboxPublisher } from '@tributary/outbox';
import { postgresUrl, waitFor } from '@tributary/testing';
import { DataSource } from 'typeorm';
import { OrderLookup } from './order-lookup.service';
import { OrderPlaced } from './order-placed.event';
import { ScratchModule } from './scratch.module';
import { names } from './scratch-names';

/** Every packed lib must at least load from its tarball and export something. */
function requireEveryLib(): string[] {
  const loaded: string[] = [];
  for (const lib of (process.env.TRIBUTARY_LIBS ?? '').split(',').filter(Boolean)) {
    const exports = require(`@tributary/${lib}`) as Record<string, unknown>;
    if (Object.keys(exports).length === 0) throw new Error(`@tributary/${lib} exports nothing`);
    loaded.push(lib);
  }
  return loaded;
}

async function main(): Promise<void> {
  const loaded = requireEveryLib();
  const order = {
    orderId: process.env.SCRATCH_ORDER_ID ?? '',
    customer: process.env.SCRATCH_CUSTOMER ?? '',
    amount: Number(process.env.SCRATCH_AMOUNT),
  };
  const dataSource = await new DataSource({ type: 'postgres', url: postgresUrl(), poolSize: 4 }).initialize();
  let app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>> | undefined;
  try {
    await dataSource.query(`CREATE TABLE ${names.orders} (order_id uuid PRIMARY KEY, customer text NOT NULL, amount integer NOT NULL)`);
    await dataSource.query(
      `CREATE TABLE ${names.orderView} (order_id uuid PRIMARY KEY, customer text NOT NULL, amount integer NOT NULL, event_id uuid NOT NULL, topic text NOT NULL)`,
    );
    app = await NestFactory.createApplicationContext(ScratchModule.forDataSource(dataSource), { logger: ['error', 'warn'] });
    app.enableShutdownHooks();

    // The business write and its event, atomically.
    const outbox = app.get(OutboxPublisher);
    const [publishedEventId] = await dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO ${names.orders} (order_id, customer, amount) VALUES ($1, $2, $3)`, [order.orderId, order.customer, order.amount]);
      return outbox.publish(manager, Object.assign(new OrderPlaced(), order));
    });

    // NOT_FOUND until the projection has applied the event; then the read model's row.
    const lookup = app.get(OrderLookup);
    const answer = await waitFor(() => lookup.find(order.orderId), {
      timeoutMs: 60_000,
      intervalMs: 200,
      description: `the RPC answer for order ${order.orderId} from the read model`,
    });
    console.log(`SCRATCH_RESULT ${JSON.stringify({ publishedEventId, answer, loaded })}`);
  } finally {
    await app?.close();
    // Every table of the run, whatever the libs created besides the ones named here.
    const tables: Array<{ tablename: string }> = await dataSource.query(
      'SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND left(tablename, length($1)) = $1',
      [`${names.tablePrefix}_`],
    );
    for (const { tablename } of tables) await dataSource.query(`DROP TABLE IF EXISTS ${tablename} CASCADE`);
    await dataSource.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
