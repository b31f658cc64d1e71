// RPC benchmark: Tributary RPC over Kafka vs @nestjs/microservices ClientKafka request-reply, same
// broker, same run, same payload, same concurrency. Prints progress on stderr and one JSON line last.
//   npm run bench:rpc            (BENCH_QUICK=1 for the short version)
import 'reflect-metadata';
import { Controller, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientKafka, MessagePattern, Payload, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { KafkaModule } from '@tributary/kafka';
import { KafkaRpcServer, RpcClientFactory, RpcContract, RpcHandler, RpcModule, RpcRequest, type RpcClient } from '@tributary/rpc';
import { IsInt, IsString, Min } from 'class-validator';
import { Kafka, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { firstValueFrom, timeout } from 'rxjs';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const quick = process.env.BENCH_QUICK === '1';
const CALLS = Number(process.env.BENCH_CALLS ?? (quick ? 5000 : 30000));
const SERIAL_CALLS = quick ? 300 : 2000;
const WARMUP = quick ? 500 : 2000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
/** A stuck baseline must fail the run, not hang it. */
const WATCHDOG_MS = quick ? 115_000 : 15 * 60_000;
const PARTITIONS = 6;
const run = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const NEST_TOPIC = `bench.nest-rpc.${run}`;

const log = (message: string) => process.stderr.write(`[rpc.bench] ${message}\n`);

// ---- payloads ---------------------------------------------------------------------------------

class Reserved {
  @IsString() reservationId!: string;
  @IsInt() remaining!: number;
}

@RpcContract({ method: 'bench.reserve', service: 'bench-inventory', response: Reserved })
class Reserve extends RpcRequest<Reserved> {
  @IsString() sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

const answer = (data: { sku: string; quantity: number }) => ({ reservationId: data.sku, remaining: 100 - data.quantity });

// ---- Tributary --------------------------------------------------------------------------------

@Injectable()
class TributaryHandlers {
  @RpcHandler(Reserve)
  reserve(request: Reserve): Reserved {
    return answer(request);
  }
}

function tributaryApp(serviceName: string, serve: boolean) {
  @Module({
    imports: [
      KafkaModule.forRoot({ brokers, serviceName, logLevel: 'error' }),
      RpcModule.forRoot({ topicPrefix: `bench.rpc.${run}`, requestPartitions: PARTITIONS, clients: serve ? [] : ['bench-inventory'] }),
    ],
    providers: serve ? [TributaryHandlers] : [],
  })
  class TributaryBenchModule {}
  return TributaryBenchModule;
}

// ---- Nest ClientKafka -------------------------------------------------------------------------

@Controller()
class NestHandlers {
  @MessagePattern(NEST_TOPIC)
  reserve(@Payload() data: { sku: string; quantity: number }) {
    return answer(data);
  }
}

@Module({ controllers: [NestHandlers] })
class NestServerModule {}

// ---- measurement ------------------------------------------------------------------------------

interface Result {
  p50Ms: number;
  p99Ms: number;
  callsPerSecond: number;
  calls: number;
  concurrency: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(call: (i: number) => Promise<unknown>, calls: number, concurrency: number): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        const i = next++;
        const t0 = process.hrtime.bigint();
        await call(i);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    callsPerSecond: Math.round(calls / seconds),
    calls,
    concurrency,
  };
}

async function bench(name: string, call: (i: number) => Promise<unknown>): Promise<{ loaded: Result; serial: Result }> {
  await measure(call, WARMUP, CONCURRENCY);
  const serial = await measure(call, SERIAL_CALLS, 1);
  log(`${name} serial: ${JSON.stringify(serial)}`);
  const loaded = await measure(call, CALLS, CONCURRENCY);
  log(`${name} concurrency ${CONCURRENCY}: ${JSON.stringify(loaded)}`);
  return { loaded, serial };
}

async function benchTributary(): Promise<{ loaded: Result; serial: Result }> {
  const opts = { logger: ['error' as const] };
  const server = await NestFactory.createApplicationContext(tributaryApp('bench-inventory', true), opts);
  const caller = await NestFactory.createApplicationContext(tributaryApp('bench-orders', false), opts);
  await Promise.all([server.init(), caller.init()]);
  await server.get(KafkaRpcServer).ready();
  const client: RpcClient = caller.get(RpcClientFactory).client('bench-inventory');
  try {
    return await bench('tributary', (i) => client.call(Reserve, { sku: `sku-${i}`, quantity: 1 }, { timeout: 30_000 }));
  } finally {
    await caller.close();
    await server.close();
  }
}

async function benchNest(): Promise<{ loaded: Result; serial: Result }> {
  // Topics made up front, with as many partitions as Tributary's request topic.
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [NEST_TOPIC, `${NEST_TOPIC}.reply`].map((topic) => ({ topic, numPartitions: PARTITIONS })),
    waitForLeaders: true,
  });
  const server = await NestFactory.createMicroservice<MicroserviceOptions>(NestServerModule, {
    logger: ['error'],
    transport: Transport.KAFKA,
    options: {
      client: { clientId: `bench-nest-server-${run}`, brokers, logLevel: logLevel.NOTHING },
      consumer: { groupId: `bench-nest-server-${run}` },
    },
  });
  await server.listen();
  const client = new ClientKafka({
    client: { clientId: `bench-nest-client-${run}`, brokers, logLevel: logLevel.NOTHING },
    consumer: { groupId: `bench-nest-client-${run}` },
  });
  client.subscribeToResponseOf(NEST_TOPIC);
  await client.connect();
  try {
    return await bench('nest ClientKafka', (i) =>
      firstValueFrom(client.send(NEST_TOPIC, { sku: `sku-${i}`, quantity: 1 }).pipe(timeout(30_000))),
    );
  } finally {
    await client.close();
    await server.close();
    await admin.deleteTopics({ topics: [NEST_TOPIC, `${NEST_TOPIC}.reply`] }).catch(() => undefined);
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  setTimeout(() => {
    log(`watchdog: the run exceeded ${WATCHDOG_MS} ms`);
    process.exit(2);
  }, WATCHDOG_MS).unref();
  log(`brokers ${brokers.join(',')}, ${CALLS} calls at concurrency ${CONCURRENCY}${quick ? ' (quick)' : ''}`);
  log('starting Tributary RPC');
  const tributary = await benchTributary();
  log('starting Nest ClientKafka');
  const nest = await benchNest();
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const summary = {
    bench: 'rpc',
    quick,
    brokers,
    tributary: { ...tributary.loaded, serial: tributary.serial },
    nestClientKafka: { ...nest.loaded, serial: nest.serial },
    p99Ratio: ratio(tributary.loaded.p99Ms, nest.loaded.p99Ms),
    throughputRatio: ratio(tributary.loaded.callsPerSecond, nest.loaded.callsPerSecond),
    target: { p99RatioAtMost: 0.5, throughputRatioAtLeast: 2 },
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);

