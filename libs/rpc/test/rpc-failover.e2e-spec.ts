import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DiscoveryClient } from '@tributary/discovery';
import { RpcClientFactory, RpcDeadlineExceededException, type RpcClient } from '@tributary/rpc';
import { testBrokers, uniqueName, waitFor } from '@tributary/testing';
import { resolve } from 'node:path';
import { ChildApp } from '../../../test/support/child-app';
import { inventoryApp, ReserveStock } from './fixtures/inventory';

jest.setTimeout(120_000);

interface Outcome {
  caller: number;
  transport: 'kafka' | 'tcp';
  sentAfterKill: boolean;
  result: 'ok' | 'deadline' | 'hung' | 'wrong-reply' | string;
  servedBy?: string;
}

const CALLERS = 4;
const KAFKA_TIMEOUT_MS = 15_000; // well past the session timeout (6 s) and the rebalance after it: requests waiting on a dead member fail over
const TCP_TIMEOUT_MS = 3_000;

describe('RPC failover: two servers, four callers, one server SIGKILLed', () => {
  const topicPrefix = uniqueName('rpc-failover');
  const registryTopic = uniqueName('registry');
  const servers: Record<string, ChildApp> = {};
  const callers: INestApplicationContext[] = [];
  const kafkaClients: RpcClient[] = [];
  const tcpClients: RpcClient[] = [];

  beforeAll(async () => {
    for (const name of ['A', 'B']) {
      servers[name] = ChildApp.start(resolve(__dirname, 'fixtures/inventory-server.ts'), {
        KAFKA_BROKERS: testBrokers().join(','),
        TOPIC_PREFIX: topicPrefix,
        REGISTRY_TOPIC: registryTopic,
        TCP: '1',
        INSTANCE_NAME: name,
      });
    }
    const apps = await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        const app = await NestFactory.createApplicationContext(
          inventoryApp({ brokers: testBrokers(), topicPrefix, registryTopic, clients: ['inventory'] }),
          { logger: ['error'] },
        );
        await app.init();
        return app;
      }),
    );
    callers.push(...apps);
    for (const app of apps) {
      kafkaClients.push(app.get(RpcClientFactory).client({ service: 'inventory', timeoutMs: KAFKA_TIMEOUT_MS }));
      tcpClients.push(app.get(RpcClientFactory).client({ service: 'inventory', transport: 'tcp', timeoutMs: TCP_TIMEOUT_MS }));
    }
    await Promise.all(Object.values(servers).map((s) => s.waitForLine(/^READY/, 90_000)));
    const discovery = callers[0].get(DiscoveryClient);
    await waitFor(() => discovery.instances('inventory').filter((i) => i.endpoints.length > 0).length === 2, {
      timeoutMs: 30_000,
      description: 'both servers in the registry',
    });
  });

  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.kill()));
    await Promise.all(callers.map((c) => c.close()));
  });

  async function reserve(caller: number, transport: 'kafka' | 'tcp', sku: string, sentAfterKill: boolean): Promise<Outcome> {
    const client = (transport === 'kafka' ? kafkaClients : tcpClients)[caller];
    const timeout = transport === 'kafka' ? KAFKA_TIMEOUT_MS : TCP_TIMEOUT_MS;
    let watchdog: NodeJS.Timeout | undefined;
    // A call must settle by its deadline; the watchdog only records a hang (with a wide margin).
    const hung = new Promise<'hung'>((done) => (watchdog = setTimeout(() => done('hung'), timeout + 5_000)));
    const call = client.call(ReserveStock, { sku, quantity: 1 }).then(
      (r) => ({ result: r.reservationId === sku ? 'ok' : 'wrong-reply', servedBy: r.servedBy }),
      (e: unknown) => ({ result: e instanceof RpcDeadlineExceededException ? 'deadline' : String(e) }),
    );
    const settled = await Promise.race([call, hung]);
    clearTimeout(watchdog);
    return { caller, transport, sentAfterKill, ...(settled === 'hung' ? { result: 'hung' } : settled) };
  }

  it('shares the load between both servers over Kafka and TCP, each caller getting its own replies', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: CALLERS }, (_, caller) =>
        Promise.all(
          Array.from({ length: 24 }, (_, i) => reserve(caller, i % 2 === 0 ? 'kafka' : 'tcp', `c${caller}-warm-${i}`, false)),
        ),
      ),
    );
    const flat = outcomes.flat();
    expect(flat.filter((o) => o.result !== 'ok')).toEqual([]);
    expect(new Set(flat.filter((o) => o.transport === 'kafka').map((o) => o.servedBy))).toEqual(new Set(['A', 'B']));
    expect(new Set(flat.filter((o) => o.transport === 'tcp').map((o) => o.servedBy))).toEqual(new Set(['A', 'B']));

    // The servers' RPC methods reach the registry through ServiceTopology, for every transport.
    const served = callers[0].get(DiscoveryClient).catalogue().methods.find((m) => m.method === 'inventory.reserve');
    expect(served).toEqual({ method: 'inventory.reserve', services: ['inventory'], transports: expect.arrayContaining(['kafka', 'tcp']) });
  });

  it('fails over when a server is killed mid-stream; no call hangs past its deadline', async () => {
    const outcomes: Outcome[] = [];
    let killed = false;
    let stop = false;
    let sequence = 0;
    const loop = async (caller: number, transport: 'kafka' | 'tcp') => {
      while (!stop) outcomes.push(await reserve(caller, transport, `c${caller}-${transport}-${sequence++}`, killed));
    };
    const loops = Array.from({ length: CALLERS }, (_, caller) => [loop(caller, 'kafka'), loop(caller, 'kafka'), loop(caller, 'tcp')]).flat();

    await waitFor(() => outcomes.filter((o) => o.servedBy === 'A').length >= 10, { description: 'A serving before the kill' });
    await servers.A.kill('SIGKILL');
    killed = true;
    const afterKill = (transport: string) => outcomes.filter((o) => o.sentAfterKill && o.transport === transport && o.result === 'ok');
    await waitFor(() => afterKill('kafka').length >= 40 && afterKill('tcp').length >= 20, {
      timeoutMs: 60_000,
      description: 'calls succeeding on B after the kill',
    });
    stop = true;
    await Promise.all(loops);

    // Nothing hangs, every reply reaches its own caller, and the only failures are calls that were
    // inside A when it died (they end at their deadline).
    expect(outcomes.filter((o) => !['ok', 'deadline'].includes(o.result))).toEqual([]);
    expect(outcomes.filter((o) => o.transport === 'tcp' && o.sentAfterKill && o.result !== 'ok')).toEqual([]);
    expect(afterKill('kafka').every((o) => o.servedBy === 'B')).toBe(true);
    const lost = outcomes.filter((o) => o.result === 'deadline');
    expect(lost.every((o) => o.transport === 'kafka' && !o.sentAfterKill)).toBe(true);
    for (let caller = 0; caller < CALLERS; caller++) {
      expect(outcomes.filter((o) => o.caller === caller && o.result === 'ok').length).toBeGreaterThan(0);
    }

    const discovery = callers[0].get(DiscoveryClient);
    await waitFor(() => discovery.instances('inventory').length === 1, { timeoutMs: 20_000, description: 'A to age out of the registry' });
  });
});
