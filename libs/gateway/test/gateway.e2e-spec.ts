import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DiscoveryClient, DiscoveryModule } from '@tributary/discovery';
import { GatewayModule, GatewayRoute } from '@tributary/gateway';
import { KafkaModule } from '@tributary/kafka';
import { RpcModule } from '@tributary/rpc';
import { testBrokers, uniqueName, waitFor } from '@tributary/testing';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { ChildApp } from '../../../test/support/child-app';
import { Explode, GetStockLevel, INTERNAL_SECRET, NotServed, ReserveStock } from './fixtures/stock.contracts';

jest.setTimeout(180_000);

const DEADLINE_MS = 2000;
/** A request still open this long after its deadline counts as hung (the client aborts it). */
const MARGIN_MS = 2000;
const CALLS = 200;
const PARALLEL = 4;

@GatewayRoute('POST', '/reservations', ReserveStock, { timeoutMs: 3000, successStatus: 201 })
class ReservationRoutes {}

interface Outcome {
  index: number;
  route: 'kafka' | 'tcp';
  status: number | 'hung' | string;
  servedBy?: string;
  sentAfterKill: boolean;
}

describe('gateway: HTTP routes onto RPC contracts, two stock instances, one SIGKILLed', () => {
  const topicPrefix = uniqueName('gw-rpc');
  const registryTopic = uniqueName('gw-registry');
  const servers: Record<string, ChildApp> = {};
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    for (const name of ['A', 'B']) {
      servers[name] = ChildApp.start(resolve(__dirname, 'fixtures/stock-server.ts'), {
        KAFKA_BROKERS: testBrokers().join(','),
        TOPIC_PREFIX: topicPrefix,
        REGISTRY_TOPIC: registryTopic,
        INSTANCE_NAME: name,
      });
    }

    @Module({
      imports: [
        KafkaModule.forRoot({ brokers: testBrokers(), serviceName: 'edge', logLevel: 'error' }),
        RpcModule.forRoot({ topicPrefix }),
        DiscoveryModule.forRoot({ registryTopic, heartbeatIntervalMs: 500, ttlMs: 2000 }),
        GatewayModule.forRoot({
          routes: [
            { method: 'GET', path: '/stock/:sku', contract: GetStockLevel, timeoutMs: DEADLINE_MS },
            { method: 'GET', path: '/tcp/stock/:sku', contract: GetStockLevel, timeoutMs: DEADLINE_MS, transport: 'tcp' },
            { method: 'GET', path: '/explode/:sku', contract: Explode },
            { method: 'GET', path: '/not-served', contract: NotServed },
          ],
          routeClasses: [ReservationRoutes],
          remoteErrorStatus: { OUT_OF_STOCK: 409 },
        }),
      ],
    })
    class EdgeModule {}

    app = await NestFactory.create(EdgeModule, { logger: ['error'], abortOnError: false });
    app.setGlobalPrefix('api');
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    await Promise.all(Object.values(servers).map((s) => s.waitForLine(/^READY/, 90_000)));
    const discovery = app.get(DiscoveryClient);
    await waitFor(() => discovery.instances('stock').filter((i) => i.endpoints.length > 0).length === 2, {
      timeoutMs: 30_000,
      description: 'both stock instances in the registry',
    });
    // Both routes answer once before anything is measured (first calls pay for connections).
    for (const path of ['/api/stock/warm', '/api/tcp/stock/warm']) {
      await waitFor(async () => (await request('GET', path, undefined, 20_000)).status === 200, { timeoutMs: 60_000, description: `${path} answering` });
    }
  });

  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.kill()));
    await app?.close();
  });

  /** One HTTP request with a client-side abort bound; resolves with the status (or 'hung') and the JSON body. */
  async function request(method: string, path: string, body?: unknown, abortAfterMs = DEADLINE_MS + MARGIN_MS) {
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(abortAfterMs),
      });
      const text = await response.text();
      return { status: response.status as number | 'hung', text, json: (text ? JSON.parse(text) : undefined) as Record<string, any> | undefined };
    } catch (e) {
      if ((e as Error).name === 'TimeoutError') return { status: 'hung' as const, text: '', json: undefined };
      throw e;
    }
  }

  it('maps path params, query and body into the DTO: path params win, numbers converted, violations named', async () => {
    const ok = await request('GET', '/api/stock/A-1?warehouse=3&sku=B-2&unknown=x');
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ sku: 'A-1', available: 7, warehouse: 3, servedBy: expect.stringMatching(/^[AB]$/) });

    const badQuery = await request('GET', '/api/stock/A-1?warehouse=abc');
    expect(badQuery.status).toBe(400);
    expect(badQuery.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', violations: [{ property: 'warehouse' }] });
    expect(badQuery.json!.message).toContain('warehouse');

    const badBody = await request('POST', '/api/reservations', { sku: 'X-1', quantity: 0 });
    expect(badBody.status).toBe(400);
    expect(badBody.json!.violations).toEqual([{ property: 'quantity', constraints: [expect.stringContaining('quantity')] }]);

    const notAnObject = await request('POST', '/api/reservations', [1, 2]);
    expect(notAnObject.status).toBe(400);
    expect(notAnObject.json!.violations).toEqual([{ property: '(body)', constraints: ['must be a JSON object'] }]);

    const created = await request('POST', '/api/reservations', { sku: 'X-1', quantity: 2 });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ reservationId: 'r-X-1', quantity: 2 });
  });

  it('maps RPC errors: unknown method 501, remote error 502 without internals, mapped business codes with their status', async () => {
    const unknown = await request('GET', '/api/not-served');
    expect(unknown.status).toBe(501);
    expect(unknown.json).toMatchObject({ statusCode: 501, code: 'UNKNOWN_METHOD' });

    const remote = await request('GET', '/api/explode/S-1');
    expect(remote.status).toBe(502);
    expect(remote.json).toEqual({ statusCode: 502, error: 'Bad Gateway', message: 'The stock service failed to handle the request' });
    expect(remote.text).not.toContain('hunter2');
    expect(remote.text).not.toContain(INTERNAL_SECRET);
    expect(remote.text).not.toMatch(/\bat .*\.ts:\d+/);

    const outOfStock = await request('POST', '/api/reservations', { sku: 'OUT', quantity: 1 });
    expect(outOfStock.status).toBe(409);
    expect(outOfStock.json).toMatchObject({ statusCode: 409, code: 'OUT_OF_STOCK', message: 'no stock left for OUT' });

    // Real Nest routes: the global prefix applies, other paths are Nest's own 404.
    expect((await request('GET', '/stock/A-1')).status).toBe(404);
    expect((await request('GET', '/api/nowhere')).status).toBe(404);
  });

  it('keeps answering while an instance is SIGKILLed mid-stream: every call succeeds or gets 503/504 in time, none hangs', async () => {
    const outcomes: Outcome[] = [];
    let next = 0;
    let killed = false;
    const KILL_AFTER = 60;
    const GATE = 100; // calls from here on start only after the kill
    const worker = async () => {
      for (let index = next++; index < CALLS; index = next++) {
        if (index >= GATE) await waitFor(() => killed, { timeoutMs: 60_000, description: 'the kill' });
        const route = index % 2 === 0 ? 'kafka' : 'tcp';
        const sentAfterKill = killed;
        const r = await request('GET', `/api${route === 'tcp' ? '/tcp' : ''}/stock/S-${index}`);
        outcomes.push({ index, route, status: r.status, servedBy: r.json?.servedBy as string | undefined, sentAfterKill });
      }
    };
    const workers = Array.from({ length: PARALLEL }, () => worker());
    const ok = (o: Outcome) => o.status === 200;
    await waitFor(() => outcomes.length >= KILL_AFTER, { timeoutMs: 60_000, description: `${KILL_AFTER} calls before the kill` });
    const beforeKill = outcomes.filter(ok);
    await servers.A.kill('SIGKILL');
    killed = true;
    await Promise.all(workers);

    expect(outcomes).toHaveLength(CALLS);
    // Each call either succeeded or failed the way a dead instance allows, within its deadline.
    expect(outcomes.filter((o) => ![200, 503, 504].includes(o.status as number))).toEqual([]);
    // Before the kill the load was spread across both instances, on both transports.
    expect(new Set(beforeKill.filter((o) => o.route === 'kafka').map((o) => o.servedBy))).toEqual(new Set(['A', 'B']));
    expect(new Set(beforeKill.filter((o) => o.route === 'tcp').map((o) => o.servedBy))).toEqual(new Set(['A', 'B']));
    // After it, the survivor answers.
    const afterKill = outcomes.filter((o) => o.sentAfterKill && ok(o));
    expect(afterKill.filter((o) => o.route === 'kafka').length).toBeGreaterThan(0);
    expect(afterKill.filter((o) => o.route === 'tcp').length).toBeGreaterThan(0);
    expect(afterKill.every((o) => o.servedBy === 'B')).toBe(true);
    const failed = outcomes.filter((o) => !ok(o));
    process.stdout.write(
      `gateway stream: ${outcomes.filter(ok).length}/${CALLS} ok, ${failed.filter((o) => o.status === 503).length} x 503, ${failed.filter((o) => o.status === 504).length} x 504 ` +
        `(kafka ${failed.filter((o) => o.route === 'kafka').length}, tcp ${failed.filter((o) => o.route === 'tcp').length})\n`,
    );
  });

  it('answers 503 when no instance is reachable and 504 when no reply comes before the deadline', async () => {
    await servers.B.kill('SIGKILL');
    const tcp = await request('GET', '/api/tcp/stock/S-x');
    expect(tcp.status).toBe(503);
    expect(tcp.json).toMatchObject({ statusCode: 503, code: 'UNAVAILABLE', message: 'The stock service is unavailable; try again later' });
    expect(tcp.text).not.toContain('127.0.0.1');
    const kafka = await request('GET', '/api/stock/S-x');
    expect(kafka.status).toBe(504);
    expect(kafka.json).toMatchObject({ statusCode: 504, code: 'DEADLINE_EXCEEDED', message: `No answer from the stock service within ${DEADLINE_MS} ms` });
  });
});
