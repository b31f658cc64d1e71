import { databaseOptions } from '../../shared/database-options';

/** Everything the inventory service reads from its environment, with local defaults. */
export function inventoryConfig() {
  return {
    brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    // Its own database: by default an SQLite file, to show a replica living apart from the source.
    database: databaseOptions(process.env.INVENTORY_DATABASE_URL ?? '.tmp/inventory.sqlite'),
    httpPort: Number(process.env.INVENTORY_HTTP_PORT ?? 3002),
  };
}
