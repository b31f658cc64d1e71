import { Logger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DiscoveryClient } from '@tributary/discovery';
import { KafkaClient } from '@tributary/kafka';
import {
  KafkaRpcServer,
  RpcClientFactory,
  RpcHeaders,
  rpcClientToken,
  rpcRequestTopic,
  type RpcClient,
} from '@tributary/rpc';
import { testBrokers, uniqueName, waitFor } from '@tributary/testing';
import { Histogram, Registry } from 'prom-client';
import { inventoryApp, ReserveStock, Sleep } from './fixtures/inventory';

jest.setTimeout(60_000);

type Labels = Record<string, string>;

/** Value of one series of a metric on `registry` (histograms: the `_count` series); 0 when absent. */
async function sample(registry: Registry, name: string, labels: Labels): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const series = metric instanceof Histogram ? `${name}_count` : name;
  const found = values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? name) === series &&
      Object.keys(labels).length === Object.keys(v.labels).filter((k) => k !== 'le').length &&
      Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  );
  return found?.value ?? 0;
}

describe('RPC metrics, traces and slow-handler log', () => {
  const topicPrefix = uniqueName('rpcobs');
  const registryTopic = uniqueName('rpcobs-registry');
  const registry = new Registry();
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const warn = jest.spyOn(Logger.prototype, 'warn');
  let server: INestApplicationContext;
  let caller: INestApplicationContext;
  let kafkaClient: RpcClient;
  let tcpClient: RpcClient;

  const client = (method: string, outcome: string) =>
    sample(registry, 'tributary_rpc_client_duration_seconds', { rpc_service: 'inventory', rpc_method: method, outcome });
  const served = (method: string, outcome: string) =>
    sample(registry, 'tributary_rpc_server_duration_seconds', { rpc_service: 'inventory', rpc_method: method, outcome });
  const inFlight = () => sample(registry, 'tributary_rpc_client_in_flight', { rpc_service: 'inventory' });

  beforeAll(async () => {
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const metrics = { registry, defaultMetrics: false };
    [server, caller] = await Promise.all([
      NestFactory.createApplicationContext(
        inventoryApp({ brokers: testBrokers(), topicPrefix, registryTopic, serve: true, tcp: true, metrics, slowHandlerThresholdMs: 1 }),
        { logger: ['error'] },
      ),
      NestFactory.createApplicationContext(
        inventoryApp({ brokers: testBrokers(), topicPrefix, registryTopic, clients: ['inventory'], metrics }),
        { logger: ['error'] },
      ),
    ]);
    await Promise.all([server.init(), caller.init()]);
    await server.get(KafkaRpcServer).ready();
    kafkaClient = caller.get<RpcClient>(rpcClientToken('inventory'));
    tcpClient = caller.get(RpcClientFactory).client({ service: 'inventory', transport: 'tcp' });
    const discovery = caller.get(DiscoveryClient);
    await waitFor(() => discovery.instances('inventory').some((i) => i.endpoints.some((e) => e.transport === 'tcp')), {
      description: 'the inventory tcp endpoint in the registry',
    });
  });

  afterAll(async () => {
    await caller?.close();
    await server?.close();
    warn.mockRestore();
    trace.disable();
    context.disable();
    await provider.shutdown();
  });

  it('counts ok, remote error, validation and deadline outcomes on both sides, and in-flight calls', async () => {
    await kafkaClient.call(ReserveStock, { sku: 'A-1', quantity: 1 });
    await expect(kafkaClient.call(ReserveStock, { sku: 'OUT', quantity: 1 })).rejects.toMatchObject({ code: 'OUT_OF_STOCK' });
    // Refused by the caller's own validation (never sent), then by the server's.
    await expect(kafkaClient.call(ReserveStock, { sku: '', quantity: 0 })).rejects.toMatchObject({ side: 'client' });
    await expect(kafkaClient.call('inventory.reserve', { sku: 'A-1', quantity: 'many' })).rejects.toMatchObject({ side: 'server' });

    expect(await client('inventory.reserve', 'ok')).toBe(1);
    expect(await client('inventory.reserve', 'remote_error')).toBe(1);
    expect(await client('inventory.reserve', 'validation')).toBe(2);
    expect(await served('inventory.reserve', 'ok')).toBe(1);
    expect(await served('inventory.reserve', 'remote_error')).toBe(1);
    expect(await served('inventory.reserve', 'validation')).toBe(1);

    const late = kafkaClient.call(Sleep, { ms: 1500 }, { timeout: 300 }).catch((e: unknown) => e);
    await waitFor(async () => (await inFlight()) === 1, { description: 'one call in flight' });
    expect(await late).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    expect(await inFlight()).toBe(0);
    expect(await client('inventory.sleep', 'deadline')).toBe(1);
    // The server finishes after the caller gave up: it records a deadline too.
    await waitFor(async () => (await served('inventory.sleep', 'deadline')) === 1, { description: 'server-side deadline outcome' });
  });

  it('counts a request that arrives after its deadline as expired, without handling it', async () => {
    const producer = await caller.get(KafkaClient).producer();
    await producer.send({
      topic: rpcRequestTopic(topicPrefix, 'inventory'),
      messages: [
        {
          value: JSON.stringify({ sku: 'EXPIRED', quantity: 1 }),
          headers: {
            [RpcHeaders.METHOD]: 'inventory.reserve',
            [RpcHeaders.CORRELATION_ID]: 'expired-1',
            [RpcHeaders.REPLY_TO]: `${topicPrefix}.nobody`,
            [RpcHeaders.DEADLINE]: String(Date.now() - 1000),
          },
        },
      ],
    });
    await waitFor(
      async () => (await sample(registry, 'tributary_rpc_server_expired_total', { rpc_service: 'inventory', rpc_method: 'inventory.reserve' })) === 1,
      { description: 'the expired request to be counted' },
    );
    expect(await served('inventory.reserve', 'ok')).toBe(1);
  });

  describe.each([['kafka'], ['tcp']] as const)('traces over %s', (transport) => {
    const rpc = () => (transport === 'kafka' ? kafkaClient : tcpClient);

    it('continues the caller\'s trace: CLIENT span -> SERVER span -> the handler\'s own span', async () => {
      exporter.reset();
      const tracer = trace.getTracer('test');
      const root = tracer.startSpan('checkout');
      const { traceId } = await context.with(trace.setSpan(context.active(), root), () => rpc().call<{ traceId: string }>('inventory.traced', {}));
      root.end();

      const spans = await waitFor(() => {
        const finished = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === root.spanContext().traceId);
        return finished.length === 4 ? finished : undefined;
      }, { description: 'root, client, server and handler spans' });
      const byKind = (kind: SpanKind): ReadableSpan => spans.find((s) => s.kind === kind && s.name === 'inventory/inventory.traced')!;
      const clientSpan = byKind(SpanKind.CLIENT);
      const serverSpan = byKind(SpanKind.SERVER);
      const handlerSpan = spans.find((s) => s.name === 'inventory.count-stock')!;

      expect(traceId).toBe(root.spanContext().traceId);
      expect(clientSpan.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
      expect(handlerSpan.parentSpanContext?.spanId).toBe(serverSpan.spanContext().spanId);
      const rpcAttributes = { 'rpc.system': 'tributary', 'rpc.service': 'inventory', 'rpc.method': 'inventory.traced' };
      expect(clientSpan.attributes).toMatchObject(rpcAttributes);
      expect(serverSpan.attributes).toMatchObject(rpcAttributes);
      if (transport === 'kafka') {
        const destination = { 'messaging.system': 'kafka', 'messaging.destination.name': `${topicPrefix}.inventory` };
        expect(clientSpan.attributes).toMatchObject({ ...destination, 'messaging.operation.type': 'send' });
        expect(serverSpan.attributes).toMatchObject({ ...destination, 'messaging.operation.type': 'process' });
      } else {
        expect(clientSpan.attributes['messaging.system']).toBeUndefined();
      }
      expect([clientSpan.status.code, serverSpan.status.code]).toEqual([SpanStatusCode.UNSET, SpanStatusCode.UNSET]);
    });

    it('marks both spans of a failed call with ERROR and the exception name', async () => {
      exporter.reset();
      await expect(rpc().call(ReserveStock, { sku: 'OUT', quantity: 1 })).rejects.toMatchObject({ code: 'OUT_OF_STOCK' });
      const spans = await waitFor(() => {
        const finished = exporter.getFinishedSpans().filter((s) => s.name === 'inventory/inventory.reserve');
        return finished.length === 2 ? finished : undefined;
      }, { description: 'client and server spans' });
      const clientSpan = spans.find((s) => s.kind === SpanKind.CLIENT)!;
      const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER)!;
      expect(serverSpan.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
      expect(clientSpan.status.code).toBe(SpanStatusCode.ERROR);
      expect(clientSpan.attributes['error.type']).toBe('RpcRemoteException');
      expect(serverSpan.status.code).toBe(SpanStatusCode.ERROR);
      expect(serverSpan.attributes['error.type']).toBe('RpcException');
    });
  });

  it('logs a slow handler once at warn with service, method and duration, never the request', async () => {
    warn.mockClear();
    const secret = 'do-not-log-7c1f';
    await kafkaClient.call('inventory.sleep', { ms: 20, note: secret });
    const slow = warn.mock.calls.map(([message]) => String(message)).filter((m) => m.includes('inventory.sleep'));
    expect(slow).toHaveLength(1);
    expect(slow[0]).toMatch(/^slow: RPC handler inventory\/inventory\.sleep \(ok\) took \d+ ms \(threshold 1 ms\)$/);
    expect(slow[0]).not.toContain(secret);
    expect(slow[0]).not.toContain('"ms"');
  });
});
