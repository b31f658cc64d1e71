// RPC benchmark: Tributary RPC over Kafka vs @nestjs/microservices ClientKafka request-reply, same
// broker, same run, same payload, same concurrency, same acks (both sides at acks=1, then both at
// acks=all). The two sides run alternately (A B A B ...) and each figure is the median of its rounds.
// Prints progress on stderr and one JSON line last.
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
import { BenchRun, interleaved, median, percentile, type Measured } from './support/bench-run';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
const quick = process.env.BENCH_QUICK === '1';
/** Calls of one loaded round, per side. */
const CALLS = Number(process.env.BENCH_CALLS ?? (quick ? 2000 : 10000));
/** Calls of one serial round, per side. */
const SERIAL_CALLS = quick ? 200 : 1000;
/** Rounds per side and measurement (serial, loaded), alternating between the sides. */
const ROUNDS = quick ? 3 : 5;
const WARMUP = quick ? 500 : 2000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
/** The acks both sides use, in turn: the leader only, then all in-sync replicas. */
const ACKS_LEVELS = [1, -1] as const;
/** A stuck baseline must fail the run, not hang it. */
const WATCHDOG_MS = quick ? 240_000 : 20 * 60_000;
const PARTITIONS = 6;
const run = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const nestTopic = (acks: number) => `bench.nest-rpc.${run}.acks${acks === -1 ? 'all' : acks}`;

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

function tributaryApp(serviceName: string, serve: boolean, acks: 1 | -1) {
  @Module({
    imports: [
      KafkaModule.forRoot({ brokers, serviceName, logLevel: 'error' }),
      RpcModule.forRoot({
        topicPrefix: `bench.rpc.${run}.acks${acks === -1 ? 'all' : acks}`,
        requestPartitions: PARTITIONS,
        acks,
        clients: serve ? [] : ['bench-inventory'],
      }),
    ],
    providers: serve ? [TributaryHandlers] : [],
  })
  class TributaryBenchModule {}
  return TributaryBenchModule;
}

// ---- Nest ClientKafka -------------------------------------------------------------------------

function nestServerModule(topic: string) {
  @Controller()
  class NestHandlers {
    @MessagePattern(topic)
    reserve(@Payload() data: { sku: string; quantity: number }) {
      return answer(data);
    }
  }

  @Module({ controllers: [NestHandlers] })
  class NestServerModule {}
  return NestServerModule;
}

// ---- measurement ------------------------------------------------------------------------------

type Call = (i: number) => Promise<unknown>;

/** One side, started: how to call it and how to stop it. */
interface Side {
  call: Call;
  close(): Promise<void>;
}

interface Round {
  p50Ms: number;
  p99Ms: number;
  callsPerSecond: number;
}

async function measure(call: Call, calls: number, concurrency: number): Promise<Round> {
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
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), callsPerSecond: Math.round(calls / seconds) };
}

/** Medians over the rounds of one side, each tagged with this run. */
interface Figures {
  p50Ms: Measured;
  p99Ms: Measured;
  callsPerSecond: Measured;
  rounds: Round[];
}

function figures(benchRun: BenchRun, rounds: Round[]): Figures {
  const of = (key: keyof Round) => benchRun.measured(median(rounds.map((r) => r[key])));
  return { p50Ms: of('p50Ms'), p99Ms: of('p99Ms'), callsPerSecond: of('callsPerSecond'), rounds };
}

const plain = (f: Figures) => ({ p50Ms: f.p50Ms.value, p99Ms: f.p99Ms.value, callsPerSecond: f.callsPerSecond.value, rounds: f.rounds });

/** Serial then loaded rounds, the two sides alternating, at one acks level. */
async function compare(benchRun: BenchRun, acks: 1 | -1, tributary: Side, nest: Side) {
  const label = acks === -1 ? 'all' : String(acks);
  await measure(tributary.call, WARMUP, CONCURRENCY);
  await measure(nest.call, WARMUP, CONCURRENCY);
  const rounds = { tributary: { serial: [] as Round[], loaded: [] as Round[] }, nest: { serial: [] as Round[], loaded: [] as Round[] } };
  const sides = { tributary, nest };
  const round = (side: 'tributary' | 'nest', kind: 'serial' | 'loaded') => async () => {
    const result = kind === 'serial' ? await measure(sides[side].call, SERIAL_CALLS, 1) : await measure(sides[side].call, CALLS, CONCURRENCY);
    log(`acks=${label} ${side} ${kind}: ${JSON.stringify(result)}`);
    rounds[side][kind].push(result);
    return result.p50Ms;
  };
  await interleaved(ROUNDS, { tributary: round('tributary', 'serial'), nest: round('nest', 'serial') });
  await interleaved(ROUNDS, { tributary: round('tributary', 'loaded'), nest: round('nest', 'loaded') });
  const t = { serial: figures(benchRun, rounds.tributary.serial), loaded: figures(benchRun, rounds.tributary.loaded) };
  const n = { serial: figures(benchRun, rounds.nest.serial), loaded: figures(benchRun, rounds.nest.loaded) };
  return {
    acks: label,
    tributary: { serial: plain(t.serial), loaded: plain(t.loaded) },
    nestClientKafka: { serial: plain(n.serial), loaded: plain(n.loaded) },
    serialP50Ratio: benchRun.ratio(t.serial.p50Ms, n.serial.p50Ms),
    p99Ratio: benchRun.ratio(t.loaded.p99Ms, n.loaded.p99Ms),
    throughputRatio: benchRun.ratio(t.loaded.callsPerSecond, n.loaded.callsPerSecond),
  };
}

async function startTributary(acks: 1 | -1): Promise<Side> {
  const opts = { logger: ['error' as const] };
  const server = await NestFactory.createApplicationContext(tributaryApp('bench-inventory', true, acks), opts);
  const caller = await NestFactory.createApplicationContext(tributaryApp('bench-orders', false, acks), opts);
  await Promise.all([server.init(), caller.init()]);
  await server.get(KafkaRpcServer).ready();
  const client: RpcClient = caller.get(RpcClientFactory).client('bench-inventory');
  return {
    call: (i) => client.call(Reserve, { sku: `sku-${i}`, quantity: 1 }, { timeout: 30_000 }),
    close: async () => {
      await caller.close();
      await server.close();
    },
  };
}

async function startNest(acks: 1 | -1): Promise<Side> {
  const topic = nestTopic(acks);
  // Topics made up front, with as many partitions as Tributary's request topic.
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [topic, `${topic}.reply`].map((t) => ({ topic: t, numPartitions: PARTITIONS })),
    waitForLeaders: true,
  });
  // `send` applies to the client's requests and the server's replies alike. The topics are new, so
  // reading them from the beginning only keeps a consumer that joins late from skipping a message.
  const send = { acks };
  const subscribe = { fromBeginning: true };
  const server = await NestFactory.createMicroservice<MicroserviceOptions>(nestServerModule(topic), {
    logger: ['error'],
    transport: Transport.KAFKA,
    options: {
      client: { clientId: `bench-nest-server-${run}`, brokers, logLevel: logLevel.NOTHING },
      consumer: { groupId: `bench-nest-server-${run}-${topic}` },
      subscribe,
      send,
    },
  });
  await server.listen();
  const client = new ClientKafka({
    client: { clientId: `bench-nest-client-${run}`, brokers, logLevel: logLevel.NOTHING },
    consumer: { groupId: `bench-nest-client-${run}-${topic}` },
    subscribe,
    send,
  });
  client.subscribeToResponseOf(topic);
  await client.connect();
  return {
    call: (i) => firstValueFrom(client.send(topic, { sku: `sku-${i}`, quantity: 1 }).pipe(timeout(30_000))),
    close: async () => {
      await client.close();
      await server.close();
      await admin.deleteTopics({ topics: [topic, `${topic}.reply`] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

async function main(): Promise<void> {
  setTimeout(() => {
    log(`watchdog: the run exceeded ${WATCHDOG_MS} ms`);
    process.exit(2);
  }, WATCHDOG_MS).unref();
  const benchRun = new BenchRun('rpc');
  log(
    `brokers ${brokers.join(',')}; ${ROUNDS} rounds per side of ${SERIAL_CALLS} serial calls ` +
      `and of ${CALLS} calls at concurrency ${CONCURRENCY}${quick ? ' (quick)' : ''}`,
  );
  const byAcks = [];
  for (const acks of ACKS_LEVELS) {
    log(`acks=${acks === -1 ? 'all' : acks}: starting Tributary RPC and Nest ClientKafka`);
    const tributary = await startTributary(acks);
    const nest = await startNest(acks);
    try {
      byAcks.push(await compare(benchRun, acks, tributary, nest));
    } finally {
      await tributary.close();
      await nest.close();
    }
  }
  const summary = {
    bench: 'rpc',
    quick,
    brokers,
    rounds: ROUNDS,
    serialCalls: SERIAL_CALLS,
    calls: CALLS,
    concurrency: CONCURRENCY,
    byAcks,
    target: { serialP50RatioAtMost: 1, p99RatioAtMost: 0.5, throughputRatioAtLeast: 2 },
    machine: benchRun.machine(),
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
