/*
 * One relay process of the `--relays` phase of the outbox benchmark: boots an app with the relay
 * running on OUTBOX_TABLE, ships until the table has no pending row left, then prints
 * `RESULT {"shipped":n,"cpuMs":…,"firstSendAt":…,"lastAckAt":…}` (epoch ms) and exits.
 * Env: KAFKA_BROKERS, DATABASE_URL, OUTBOX_TABLE, OUTBOX_BATCH_SIZE, OUTBOX_CONCURRENCY.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { KafkaModule } from '@tributary/kafka';
import { OutboxModule, OutboxRelay } from '@tributary/outbox';
import type { DataSource } from 'typeorm';

const env = (name: string) => process.env[name] ?? '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const table = env('OUTBOX_TABLE');
  @Module({
    imports: [
      KafkaModule.forRoot({ brokers: env('KAFKA_BROKERS').split(','), serviceName: 'bench-outbox', logLevel: 'error' }),
      TypeOrmModule.forRoot({ type: 'postgres', url: env('DATABASE_URL'), poolSize: 8 }),
      OutboxModule.forRoot({
        tableName: table,
        relay: { enabled: false, batchSize: Number(env('OUTBOX_BATCH_SIZE')), concurrency: Number(env('OUTBOX_CONCURRENCY')) },
      }),
    ],
  })
  class RelayModule {}
  const app = await NestFactory.createApplicationContext(RelayModule, { logger: ['error'] });
  const relay = app.get(OutboxRelay);
  const dataSource = app.get<DataSource>(getDataSourceToken());
  let shipped = 0;
  let firstSendAt = Number.POSITIVE_INFINITY;
  let lastAckAt = 0;
  relay.shipped$.subscribe((b) => {
    shipped += b.rowIds.length;
    firstSendAt = Math.min(firstSendAt, b.timings.claimedAt);
    lastAckAt = Math.max(lastAckAt, b.timings.ackedAt);
  });
  const cpu = process.cpuUsage();
  relay.start();
  for (;;) {
    await sleep(200);
    const [row] = await dataSource.query<Array<{ n: string }>>(`SELECT COUNT(*) AS n FROM "${table}" WHERE status <> 'published'`);
    if (Number(row.n) === 0) break;
  }
  await relay.stop();
  const used = process.cpuUsage(cpu);
  process.stdout.write(`RESULT ${JSON.stringify({ shipped, cpuMs: (used.user + used.system) / 1000, firstSendAt, lastAckAt })}\n`);
  await app.close();
}

main().catch((e) => {
  process.stderr.write(`outbox relay process failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
