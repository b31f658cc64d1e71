import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DiscoveryClient } from '@tributary/discovery';
import { RpcClientFactory } from '@tributary/rpc';
import { testBrokers, uniqueName, waitFor } from '@tributary/testing';
import { resolve } from 'node:path';
import { ChildApp } from '../../../test/support/child-app';
import { clockSkewEnv } from '../../../test/support/clock-skew';
import { inventoryApp, ReserveStock } from './fixtures/inventory';

jest.setTimeout(180_000);

const TEN_MINUTES = 10 * 60 * 1000;

/** Deadlines travel as budgets and liveness is judged on the reader's clock: a server's wrong clock changes nothing. */
describe('RPC with a server whose clock is ten minutes off', () => {
  const cases = [
    { name: 'ahead', skewMs: TEN_MINUTES, topicPrefix: uniqueName('rpc-skew-ahead'), registryTopic: uniqueName('registry') },
    { name: 'behind', skewMs: -TEN_MINUTES, topicPrefix: uniqueName('rpc-skew-behind'), registryTopic: uniqueName('registry') },
  ];
  const servers: ChildApp[] = [];
  const callers = new Map<string, INestApplicationContext>();

  beforeAll(async () => {
    for (const c of cases) {
      servers.push(
        ChildApp.start(resolve(__dirname, 'fixtures/inventory-server.ts'), {
          KAFKA_BROKERS: testBrokers().join(','),
          TOPIC_PREFIX: c.topicPrefix,
          REGISTRY_TOPIC: c.registryTopic,
          TCP: '1',
          INSTANCE_NAME: c.name,
          ...clockSkewEnv(c.skewMs),
        }),
      );
    }
    await Promise.all(servers.map((s) => s.waitForLine(/^READY/, 120_000)));
    for (const c of cases) {
      const app = await NestFactory.createApplicationContext(
        inventoryApp({ brokers: testBrokers(), topicPrefix: c.topicPrefix, registryTopic: c.registryTopic, clients: ['inventory'] }),
        { logger: ['error'] },
      );
      callers.set(c.name, app);
      await app.init();
    }
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await Promise.all([...callers.values()].map((a) => a.close()));
  });

  it.each(cases.map((c) => [c.name, c] as const))('answers within deadlines over Kafka and TCP when its clock is %s', async (name) => {
    const app = callers.get(name)!;
    // The caller lists the server as alive (its heartbeats are judged on the caller's clock).
    await waitFor(() => app.get(DiscoveryClient).instances('inventory').some((i) => i.endpoints.length > 0), {
      timeoutMs: 15_000,
      description: `the server whose clock is ${name} in the caller's registry`,
    });
    const factory = app.get(RpcClientFactory);
    const clients = { kafka: factory.client({ service: 'inventory', timeoutMs: 5000 }), tcp: factory.client({ service: 'inventory', transport: 'tcp', timeoutMs: 5000 }) };
    for (const [transport, client] of Object.entries(clients)) {
      const skus = Array.from({ length: 3 }, (_, i) => `${name}-${transport}-${i}`);
      const answers = await Promise.all(
        skus.map((sku) => client.call(ReserveStock, { sku, quantity: 1 }).then((r) => `${r.reservationId}@${r.servedBy}`, (e: Error) => e.name)),
      );
      expect(answers).toEqual(skus.map((sku) => `${sku}@${name}`));
    }
  });
});
