import { Injectable, Module, type INestApplicationContext, type OnModuleInit } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { KafkaModule, ServiceTopology } from '@tributary/kafka';
import { DiscoveryClient, DiscoveryModule, ServiceRegistry, TributaryService, type ServiceInstance } from '@tributary/discovery';
import { testBrokers, uniqueName, waitFor } from '@tributary/testing';
import { resolve } from 'node:path';
import { ChildApp } from '../../../test/support/child-app';

jest.setTimeout(60_000);

const registryTopic = uniqueName('registry');
const service = uniqueName('inventory');

@Injectable()
class TopologyFiller implements OnModuleInit {
  constructor(private readonly topology: ServiceTopology) {}
  onModuleInit(): void {
    this.topology.addPublished({ type: 'inventory.stock-reserved', topic: 'inventory.events', version: 1 });
    this.topology.addConsumed({ type: 'orders.order-placed', topic: 'orders.events', consumer: 'StockProjection' });
    this.topology.addServed({ method: 'inventory.reserve', transport: 'kafka' });
  }
}

async function startApp(name: string, ttlMs: number, extra: { decorated?: boolean; announce?: boolean } = {}): Promise<INestApplicationContext> {
  @Module({
    imports: [
      KafkaModule.forRoot({ brokers: testBrokers(), serviceName: `${name}-kafka`, logLevel: 'error' }),
      DiscoveryModule.forRoot({ registryTopic, heartbeatIntervalMs: 500, ttlMs, announce: extra.announce ?? true }),
    ],
    providers: [TopologyFiller],
  })
  class PlainModule {}
  const root = extra.decorated ? TributaryService({ name, version: '1.2.3' })(PlainModule) ?? PlainModule : PlainModule;
  const moduleRef = await Test.createTestingModule({ imports: [root as typeof PlainModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] } as never);
  await app.init();
  return app;
}

describe('service registry (real Kafka)', () => {
  const apps: INestApplicationContext[] = [];
  const children: ChildApp[] = [];
  let observer: INestApplicationContext;
  let client: DiscoveryClient;

  beforeAll(async () => {
    observer = await startApp(uniqueName('observer'), 3000, { announce: false });
    client = observer.get(DiscoveryClient);
    await client.ready();
  });

  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill()));
    await Promise.all(apps.map((a) => a.close()));
    await observer?.close();
  });

  it('shows an announced instance with its topology, and removes it at once on graceful shutdown (tombstone)', async () => {
    // A TTL far longer than the test: only the tombstone can make it disappear this fast.
    const app = await startApp(service, 120_000, { decorated: true });
    apps.push(app);
    const id = app.get(ServiceRegistry).instanceId;
    const seen = await waitFor(() => client.instances(service).find((i) => i.instanceId === id), { description: 'instance to appear' });
    expect(seen).toMatchObject<Partial<ServiceInstance>>({ service, version: '1.2.3', rpcMethods: ['inventory.reserve'] });

    const catalogue = client.catalogue();
    expect(catalogue.services.find((s) => s.service === service)).toMatchObject({ instances: 1, versions: ['1.2.3'] });
    expect(catalogue.events.find((e) => e.type === 'inventory.stock-reserved')?.publishers).toContain(service);
    expect(catalogue.events.find((e) => e.type === 'orders.order-placed')?.consumers).toContainEqual({ service, consumer: 'StockProjection' });
    expect(catalogue.methods.find((m) => m.method === 'inventory.reserve')).toMatchObject({ services: [service], transports: ['kafka'] });

    const watched: string[][] = [];
    const subscription = client.watch(service).subscribe((list) => watched.push(list.map((i) => i.instanceId)));
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    await waitFor(() => client.instances(service).length === 0, { timeoutMs: 15_000, description: 'tombstone to remove the instance' });
    subscription.unsubscribe();
    expect(watched[0]).toEqual([id]);
    expect(watched[watched.length - 1]).toEqual([]);
  });

  it('ages out an instance killed with SIGKILL once its TTL passes', async () => {
    const name = uniqueName('killed');
    const child = ChildApp.start(resolve(__dirname, 'fixtures/registry-instance.ts'), {
      KAFKA_BROKERS: testBrokers().join(','),
      SERVICE_NAME: name,
      REGISTRY_TOPIC: registryTopic,
      HEARTBEAT_MS: '500',
      TTL_MS: '2000',
    });
    children.push(child);
    const [, id] = await child.waitForLine(/^READY (\S+)/);
    await waitFor(() => client.instances(name).some((i) => i.instanceId === id), { description: 'child instance to appear' });
    await child.kill('SIGKILL');
    await waitFor(() => client.instances(name).length === 0, { timeoutMs: 20_000, description: 'killed instance to age out' });
  });
});
