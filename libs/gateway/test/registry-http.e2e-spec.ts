import { Injectable, Module, type INestApplication, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DiscoveryClient, DiscoveryModule } from '@tributary/discovery';
import { RegistryEventStreams, RegistryHttpModule } from '@tributary/gateway';
import { KafkaModule } from '@tributary/kafka';
import { RpcHandler, RpcModule } from '@tributary/rpc';
import { testBrokers, uniqueName, waitFor } from '@tributary/testing';
import type { AddressInfo } from 'node:net';
import { SseClient } from './support/sse-client';

jest.setTimeout(120_000);

@Injectable()
class PricingHandlers {
  @RpcHandler('pricing.quote')
  quote(): { price: number } {
    return { price: 1 };
  }
}

describe('registry over HTTP: services, topology and a live SSE stream', () => {
  const registryTopic = uniqueName('gw-registry-http');
  const topicPrefix = uniqueName('gw-registry-rpc');
  const instances: INestApplicationContext[] = [];
  const streams: SseClient[] = [];
  let app: INestApplication;
  let base: string;

  /** A pricing instance: announces itself in the registry and serves one RPC method. */
  async function startPricing(instanceId: string): Promise<INestApplicationContext> {
    @Module({
      imports: [
        KafkaModule.forRoot({ brokers: testBrokers(), serviceName: 'pricing', logLevel: 'error' }),
        RpcModule.forRoot({ topicPrefix }),
        DiscoveryModule.forRoot({
          registryTopic,
          instanceId,
          version: '1.2.0',
          heartbeatIntervalMs: 500,
          ttlMs: 2000,
          endpoints: [{ transport: 'http', host: '127.0.0.1', port: 8081 }],
        }),
      ],
      providers: [PricingHandlers],
    })
    class PricingModule {}
    const context = await NestFactory.createApplicationContext(PricingModule, { logger: ['error'], abortOnError: false });
    await context.init();
    instances.push(context);
    return context;
  }

  beforeAll(async () => {
    @Module({
      imports: [
        KafkaModule.forRoot({ brokers: testBrokers(), serviceName: 'ops', logLevel: 'error' }),
        DiscoveryModule.forRoot({ registryTopic, announce: false, heartbeatIntervalMs: 500, ttlMs: 2000 }),
        RegistryHttpModule.forRoot({ path: '/registry', streamHeartbeatMs: 200 }),
      ],
    })
    class OpsModule {}
    app = await NestFactory.create(OpsModule, { logger: ['error'], abortOnError: false });
    app.setGlobalPrefix('api');
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/api/registry`;
    await startPricing('pricing-1');
    await waitFor(() => app.get(DiscoveryClient).instances('pricing').length === 1, { description: 'pricing-1 in the registry' });
  });

  afterAll(async () => {
    await Promise.all(streams.map((s) => s.close()));
    await Promise.all(instances.map((i) => i.close()));
    await app?.close();
  });

  async function getJson(path: string): Promise<{ status: number; body: any; cacheControl: string | null }> {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: await response.json(), cacheControl: response.headers.get('cache-control') };
  }

  it('lists services with their instances, one service, and the topology', async () => {
    const list = await getJson('/services');
    expect(list.status).toBe(200);
    expect(list.cacheControl).toBe('no-store');
    expect(list.body.services).toEqual([
      {
        service: 'pricing',
        versions: ['1.2.0'],
        instances: [
          {
            instanceId: 'pricing-1',
            version: '1.2.0',
            host: expect.any(String),
            endpoints: [{ transport: 'http', host: '127.0.0.1', port: 8081 }],
            rpcMethods: ['pricing.quote'],
            startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
            heartbeatAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
            ttlMs: 2000,
          },
        ],
      },
    ]);

    const one = await getJson('/services/pricing');
    expect(one.status).toBe(200);
    expect(one.body.instances.map((i: { instanceId: string }) => i.instanceId)).toEqual(['pricing-1']);
    const missing = await getJson('/services/nobody');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain('nobody');

    const topology = await getJson('/topology');
    expect(topology.status).toBe(200);
    expect(topology.body.methods).toEqual([{ method: 'pricing.quote', services: ['pricing'], transports: ['kafka'] }]);
    expect(topology.body.services).toEqual([expect.objectContaining({ service: 'pricing', instances: 1, versions: ['1.2.0'] })]);
  });

  it('streams a snapshot, then a change event when an instance starts and when it stops, with heartbeat comments', async () => {
    const stream = new SseClient(`${base}/stream?service=pricing`);
    streams.push(stream);
    await stream.open();
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);

    const snapshot = await stream.next((e) => e.event === 'snapshot', 'the snapshot');
    expect(snapshot.data.services[0].instances.map((i: { instanceId: string }) => i.instanceId)).toEqual(['pricing-1']);

    const second = await startPricing('pricing-2');
    const joined = await stream.next((e) => e.event === 'change' && e.data.joined.some((j: { instanceId: string }) => j.instanceId === 'pricing-2'), 'pricing-2 joining');
    expect(joined.data.joined).toEqual([{ service: 'pricing', instanceId: 'pricing-2' }]);
    expect(joined.data.services[0].instances.map((i: { instanceId: string }) => i.instanceId)).toEqual(['pricing-1', 'pricing-2']);

    await second.close();
    instances.splice(instances.indexOf(second), 1);
    const left = await stream.next((e) => e.event === 'change' && e.data.left.length > 0, 'pricing-2 leaving');
    expect(left.data.left).toEqual([{ service: 'pricing', instanceId: 'pricing-2' }]);
    expect(left.data.services[0].instances.map((i: { instanceId: string }) => i.instanceId)).toEqual(['pricing-1']);
    expect(Number(left.id)).toBeGreaterThan(Number(joined.id));

    await waitFor(() => stream.comments.some((c) => c.startsWith('heartbeat')), { timeoutMs: 10_000, description: 'a heartbeat comment' });

    // The server lets go of a stream the client closed.
    const open = app.get(RegistryEventStreams);
    expect(open.size).toBe(1);
    await stream.close();
    await waitFor(() => open.size === 0, { timeoutMs: 10_000, description: 'the server to drop the closed stream' });
  });

  it('ends open streams when the app shuts down, so close() does not wait for clients', async () => {
    const stream = new SseClient(`${base}/stream`);
    streams.push(stream);
    await stream.open();
    await stream.next((e) => e.event === 'snapshot', 'the snapshot');
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<'stuck'>((done) => (timer = setTimeout(() => done('stuck'), 15_000)));
    const closed = await Promise.race([app.close().then(() => 'closed' as const), stuck]);
    clearTimeout(timer);
    expect(closed).toBe('closed');
    expect(app.get(RegistryEventStreams).size).toBe(0);
  });
});
