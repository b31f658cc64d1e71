/*
 * A relay in its own OS process, for the multi-relay and crash tests:
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register libs/outbox/test/relay-process.ts
 * Env: KAFKA_BROKERS, DATABASE_URL (PostgreSQL), OUTBOX_TABLE, OUTBOX_LANES, OUTBOX_INSTANCE, and
 * OUTBOX_CRASH_AFTER_BATCHES=n to SIGKILL itself right after Kafka acked its n-th batch, before the
 * rows are marked published (the worst moment to die: its lanes stay leased until the lease
 * expires). Prints READY once relaying, and SHIPPED <count> when stopped with SIGTERM.
 */
import { KafkaClient } from '@tributary/kafka';
import { OutboxRelay } from '@tributary/outbox';
import type { Producer } from 'kafkajs';
import { databaseOptions, startOutboxApp } from './outbox-test.fixtures';

async function main(): Promise<void> {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const app = await startOutboxApp({
    brokers: env('KAFKA_BROKERS').split(','),
    database: { ...databaseOptions('postgres'), ...(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : {}) },
    serviceName: 'outbox-relay-process',
    outbox: {
      tableName: env('OUTBOX_TABLE'),
      lanes: Number(env('OUTBOX_LANES')),
      // retentionMs 0: rows are deleted as soon as Kafka acked them.
      // Started by hand below, once the crash hook is in place.
      relay: { enabled: false, instanceId: env('OUTBOX_INSTANCE'), pollIntervalMs: 200, retentionMs: 0, outageBackoff: { initialMs: 100, maxMs: 2000 } },
    },
  });
  const relay = app.get(OutboxRelay);
  const crashAfter = Number(process.env.OUTBOX_CRASH_AFTER_BATCHES ?? 0);
  if (crashAfter > 0) {
    // Die as soon as Kafka acked the n-th batch, before the relay records it.
    const kafka = app.get(KafkaClient);
    const createProducer = kafka.createProducer.bind(kafka);
    let batches = 0;
    kafka.createProducer = async (...args: Parameters<KafkaClient['createProducer']>): Promise<Producer> => {
      const producer = await createProducer(...args);
      const sendBatch = producer.sendBatch.bind(producer);
      producer.sendBatch = async (batch) => {
        const result = await sendBatch(batch);
        if (++batches >= crashAfter) process.kill(process.pid, 'SIGKILL');
        return result;
      };
      return producer;
    };
  }
  let shipped = 0;
  relay.shipped$.subscribe((batch) => {
    shipped += batch.rowIds.length;
  });
  relay.start();
  process.once('SIGTERM', () => {
    void app.close().finally(() => {
      process.stdout.write(`SHIPPED ${shipped}\n`);
      process.exit(0);
    });
  });
  process.stdout.write('READY\n');
}

main().catch((e) => {
  process.stderr.write(`relay process failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
