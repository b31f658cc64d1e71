// RPC benchmark: Tributary RPC over Kafka vs @nestjs/microservices ClientKafka request-reply, same
// broker, same run, same payload, same concurrency, same acks (both sides at acks=1, then both at
// acks=all). The two sides run alternately (A B A B ...): serial calls in blocks, loaded runs in
// rounds; serial figures are over all counted calls, loaded ones the median of the rounds.
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
/**
 * One-at-a-time calls: blocks of SERIAL_BLOCK calls alternate between the sides (A B A B ...), so a
 * load spike on the shared machine hits both alike. The first SERIAL_SKIP calls of a block are not
 * counted: they would pay for the other side's trailing work (kafkajs commits an offset after each
 * batch, ClientKafka on both its consumers, after the reply has left). p50 is over all counted calls.
 */
const SERIAL_BLOCKS = quick ? 24 : 100;
const SERIAL_BLOCK = 27;
const SERIAL_SKIP = 2;
/** Loaded rounds per side, alternating between the sides. */
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

/** Run one block of serial calls; returns the latencies of the counted ones, ms. */
async function serialBlock(call: Call, first: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let k = 0; k < SERIAL_BLOCK; k++) {
    const t0 = process.hrtime.bigint();
    await call(first + k);
    if (k >= SERIAL_SKIP) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return latencies;
}

/** Serial calls, then loaded rounds, the two sides alternating, at one acks level. */
async function compare(benchRun: BenchRun, acks: 1 | -1, tributary: Side, nest: Side) {
  const label = acks === -1 ? 'all' : String(acks);
  await measure(tributary.call, WARMUP, CONCURRENCY);
  await measure(nest.call, WARMUP, CONCURRENCY);
  const latencies = { tributary: [] as number[], nest: [] as number[] };
  let i = 0;
  const block = (name: keyof typeof latencies, side: Side) => async () => {
    const counted = await serialBlock(side.call, (i += SERIAL_BLOCK));
    latencies[name].push(...counted);
    return median(counted);
  };
  await interleaved(SERIAL_BLOCKS, { tributary: block('tributary', tributary), nest: block('nest', nest) });
  const serialOf = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { p50Ms: benchRun.measured(Math.round(median(values) * 100) / 100), p99Ms: percentile(sorted, 99), calls: values.length };
  };
  const t = { serial: serialOf(latencies.tributary), loaded: [] as Round[] };
  const n = { serial: serialOf(latencies.nest), loaded: [] as Round[] };
  log(`acks=${label} serial p50: tributary ${t.serial.p50Ms.value} ms, nest ${n.serial.p50Ms.value} ms`);
  const sides = { tributary: { side: tributary, rounds: t.loaded }, nest: { side: nest, rounds: n.loaded } };
  const round = (name: keyof typeof sides) => async () => {
    const result = await measure(sides[name].side.call, CALLS, CONCURRENCY);
    log(`acks=${label} ${name} at concurrency ${CONCURRENCY}: ${JSON.stringify(result)}`);
    sides[name].rounds.push(result);
    return result.p99Ms;
  };
  await interleaved(ROUNDS, { tributary: round('tributary'), nest: round('nest') });
  const tLoaded = figures(benchRun, t.loaded);
  const nLoaded = figures(benchRun, n.loaded);
  const serialPlain = (x: typeof t.serial) => ({ p50Ms: x.p50Ms.value, p99Ms: x.p99Ms, calls: x.calls });
  return {
    acks: label,
    tributary: { serial: serialPlain(t.serial), loaded: plain(tLoaded) },
    nestClientKafka: { serial: serialPlain(n.serial), loaded: plain(nLoaded) },
    serialP50Ratio: benchRun.ratio(t.serial.p50Ms, n.serial.p50Ms),
    p99Ratio: benchRun.ratio(tLoaded.p99Ms, nLoaded.p99Ms),
    throughputRatio: benchRun.ratio(tLoaded.callsPerSecond, nLoaded.callsPerSecond),
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
    `brokers ${brokers.join(',')}; per side ${SERIAL_BLOCKS} blocks of ${SERIAL_BLOCK} serial calls ` +
      `and ${ROUNDS} rounds of ${CALLS} calls at concurrency ${CONCURRENCY}${quick ? ' (quick)' : ''}`,
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
    serial: { blocks: SERIAL_BLOCKS, callsPerBlock: SERIAL_BLOCK, uncountedPerBlock: SERIAL_SKIP },
    rounds: ROUNDS,
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
