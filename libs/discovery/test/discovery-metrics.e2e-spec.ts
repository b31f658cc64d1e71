import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DiscoveryClient, DiscoveryModule } from '@tributary/discovery';
import { KafkaModule, type TributaryMetricsOptions } from '@tributary/kafka';
import { testBrokers, uniqueName, waitFor } from '@tributary/testing';
import { Registry } from 'prom-client';

jest.setTimeout(60_000);

const registryTopic = uniqueName('registry-metrics');
const service = uniqueName('inventory');

async function startApp(name: string, metrics: TributaryMetricsOptions, announce = true): Promise<INestApplicationContext> {
  @Module({
    imports: [
      KafkaModule.forRoot({ brokers: testBrokers(), serviceName: name, logLevel: 'error', metrics }),
      // A TTL far longer than the test: only the tombstone of a graceful stop removes an instance.
      DiscoveryModule.forRoot({ registryTopic, heartbeatIntervalMs: 500, ttlMs: 120_000, announce }),
    ],
  })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'], abortOnError: false });
  await app.init();
  return app;
}

describe('tributary_discovery_live_instances (real Kafka)', () => {
  const registry = new Registry();
  const apps: INestApplicationContext[] = [];
  let observer: INestApplicationContext;

  /** The gauge's value for `service`, or undefined when it has no series (read as a scrape would). */
  async function liveInstances(): Promise<number | undefined> {
    const gauge = registry.getSingleMetric('tributary_discovery_live_instances');
    if (!gauge) return undefined;
    return (await gauge.get()).values.find((v) => v.labels.service === service)?.value;
  }

  const reaches = (expected: number, description: string) =>
    waitFor(async () => (await liveInstances()) === expected, { timeoutMs: 20_000, description });

  beforeAll(async () => {
    observer = await startApp(uniqueName('observer'), { registry, defaultMetrics: false }, false);
    await observer.get(DiscoveryClient).ready();
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await observer?.close();
  });

  it('goes 1 -> 2 -> 1 -> 0 as instances start and stop gracefully, and keeps the series at 0', async () => {
    expect(await liveInstances()).toBeUndefined();
    // The instances keep their own metrics off the observer's registry.
    apps.push(await startApp(service, { enabled: false }));
    await reaches(1, 'one live instance');
    apps.push(await startApp(service, { enabled: false }));
    await reaches(2, 'two live instances');

    await apps.pop()!.close();
    await reaches(1, 'one instance after a graceful stop');
    await apps.pop()!.close();
    await reaches(0, 'zero instances, still reported');
    expect(await registry.metrics()).toContain(`tributary_discovery_live_instances{service="${service}"} 0`);
  });

  it('removes its series when the observing app stops', async () => {
    await observer.close();
    expect(await registry.metrics()).not.toContain(`service="${service}"`);
  });
});
