import { databaseOptions } from '../../shared/database-options';

/** Everything the orders service reads from its environment, with local defaults. */
export function ordersConfig() {
  return {
    brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    database: databaseOptions(process.env.ORDERS_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'),
    httpPort: Number(process.env.ORDERS_HTTP_PORT ?? 3001),
  };
}
