import type { Logger, Producer, ProducerEvents } from 'kafkajs';
import type { ProducerPool } from './producer-pool';

/** kafkajs' producer event names (the same on every producer). */
const PRODUCER_EVENTS: ProducerEvents = {
  CONNECT: 'producer.connect',
  DISCONNECT: 'producer.disconnect',
  REQUEST: 'producer.network.request',
  REQUEST_TIMEOUT: 'producer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'producer.network.request_queue_size',
};

/**
 * The `Producer` the client hands out as its shared producer: `send` and `sendBatch` run on a pool
 * of one idempotent producer, one call at a time, and a call that fails retires that producer for
 * a successor (see `ProducerPool`), so the object stays the same for the app's lifetime. It is
 * closed with the client: `disconnect` does nothing. Listeners (`on`) and transactions need a
 * producer of one's own (`KafkaClient.createProducer`).
 */
export function sharedProducer(pool: ProducerPool, logger: Logger): Producer {
  const unsupported = (what: string) => () => {
    throw new Error(`the shared producer does not support ${what}: use KafkaClient.createProducer() for a producer of your own`);
  };
  const facade: Omit<Producer, 'on'> & { on: () => never } = {
    send: (record) => pool.run((lease) => lease.send(record)),
    sendBatch: (batch) => pool.run((lease) => lease.sendBatch(batch)),
    connect: () => pool.run(async () => undefined),
    disconnect: async () => undefined,
    isIdempotent: () => true,
    events: PRODUCER_EVENTS,
    on: unsupported('listeners'),
    transaction: unsupported('transactions'),
    logger: () => logger,
  };
  return facade as unknown as Producer;
}
