/*
 * Load generator of the outbox benchmark, in its own process so that it does not share the
 * relay's event loop: commits one event per transaction at OUTBOX_RATE events/s for
 * OUTBOX_SECONDS, then prints `RESULT {"committed":[[eventId, epochMs], ...], ...}`. It first runs
 * OUTBOX_WARMUP_SECONDS at the same rate (JIT, connections, caches of a fresh process), whose
 * events come apart in `warmUp` and count neither in `committed` nor in `achievedRate`.
 * Commits run concurrently (up to OUTBOX_IN_FLIGHT, 64) so that slow commits do not hold the rate
 * back; `achievedRate` says whether it was reached.
 * Env: KAFKA_BROKERS, DATABASE_URL, OUTBOX_TABLE, OUTBOX_TOPIC, OUTBOX_RATE, OUTBOX_SECONDS,
 * OUTBOX_FIRST_SEQ, OUTBOX_IN_FLIGHT, OUTBOX_WARMUP_SECONDS (0).
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { KafkaModule } from '@tributary/kafka';
import { OutboxModule, OutboxPublisher } from '@tributary/outbox';
import type { DataSource } from 'typeorm';
import { defineBenchEvent, epochMs } from './outbox-events';

const env = (name: string) => process.env[name] ?? '';
const { eventAt } = defineBenchEvent(env('OUTBOX_TOPIC'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MAX_IN_FLIGHT = Number(process.env.OUTBOX_IN_FLIGHT ?? 64);

async function main(): Promise<void> {
  @Module({
    imports: [
      KafkaModule.forRoot({ brokers: env('KAFKA_BROKERS'), serviceName: 'bench-outbox', logLevel: 'error', connectOnBootstrap: false }),
      TypeOrmModule.forRoot({ type: 'postgres', url: env('DATABASE_URL'), poolSize: Math.min(MAX_IN_FLIGHT, 32) }),
      OutboxModule.forRoot({ tableName: env('OUTBOX_TABLE'), relay: { enabled: false } }),
    ],
  })
  class LoadModule {}
  const app = await NestFactory.createApplicationContext(LoadModule, { logger: ['error'] });
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const publisher = app.get(OutboxPublisher);
  const rate = Number(env('OUTBOX_RATE'));
  const warmUpEvents = Math.round(rate * Number(process.env.OUTBOX_WARMUP_SECONDS ?? 0));
  const total = warmUpEvents + rate * Number(env('OUTBOX_SECONDS'));
  const firstSeq = Number(env('OUTBOX_FIRST_SEQ'));
  const committed: Array<[string, number]> = [];
  const warmUp: Array<[string, number]> = [];
  let issued = 0;
  let inFlight = 0;
  let backpressure = 0;
  const running: Promise<void>[] = [];
  let measuredFrom = 0;
  const publishOne = async (i: number, measured: boolean) => {
    inFlight++;
    try {
      const [id] = await dataSource.transaction((m) => publisher.publish(m, eventAt(i)));
      (measured ? committed : warmUp).push([id, epochMs()]);
    } finally {
      inFlight--;
    }
  };
  const started = performance.now();
  while (issued < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (issued < due) {
      if (inFlight >= MAX_IN_FLIGHT) {
        backpressure++;
        break;
      }
      if (issued === warmUpEvents) measuredFrom = performance.now();
      running.push(publishOne(firstSeq + issued, issued >= warmUpEvents));
      issued++;
    }
    await sleep(1);
  }
  await Promise.all(running);
  const seconds = (performance.now() - Math.max(started, measuredFrom)) / 1000;
  const achievedRate = Math.round((total - warmUpEvents) / seconds);
  process.stdout.write(`RESULT ${JSON.stringify({ committed, warmUp, achievedRate, backpressure })}\n`);
  await app.close();
}

main().catch((e) => {
  process.stderr.write(`outbox load generator failed: ${(e as Error).stack}\n`);
  process.exit(1);
});
