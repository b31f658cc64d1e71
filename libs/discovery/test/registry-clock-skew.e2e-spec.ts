import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DiscoveryClient, DiscoveryModule } from '@tributary/discovery';
import { KafkaModule } from '@tributary/kafka';
import { testBrokers, uniqueName, waitFor } from '@tributary/testing';
import { resolve } from 'node:path';
import { ChildApp } from '../../../test/support/child-app';
import { clockSkewEnv } from '../../../test/support/clock-skew';

jest.setTimeout(180_000);

const TEN_MINUTES = 10 * 60 * 1000;
const registryTopic = uniqueName('registry');

async function startReader(): Promise<INestApplicationContext> {
  @Module({
    imports: [
      KafkaModule.forRoot({ brokers: testBrokers(), serviceName: uniqueName('reader'), logLevel: 'error' }),
      DiscoveryModule.forRoot({ registryTopic, announce: false }),
    ],
  })
  class ReaderModule {}
  const app = await NestFactory.createApplicationContext(ReaderModule, { logger: ['error'] });
  await app.init();
  await app.get(DiscoveryClient).ready();
  return app;
}

/** Liveness is judged on the reader's clock: an announcer whose clock is off is listed, and ages out when it stops. */
describe('registry with announcers whose clocks are ten minutes off', () => {
  const services = { ahead: uniqueName('ahead'), behind: uniqueName('behind') };
  const children: ChildApp[] = [];
  const readers: INestApplicationContext[] = [];

  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill()));
    await Promise.all(readers.map((r) => r.close()));
  });

  it('lists both while they heartbeat (for a reader running and for one started later) and ages them out after SIGKILL', async () => {
    const reader = await startReader();
    readers.push(reader);
    for (const [name, skewMs] of [
      ['ahead', TEN_MINUTES],
      ['behind', -TEN_MINUTES],
    ] as const) {
      children.push(
        ChildApp.start(resolve(__dirname, 'fixtures/registry-instance.ts'), {
          KAFKA_BROKERS: testBrokers().join(','),
          SERVICE_NAME: services[name],
          REGISTRY_TOPIC: registryTopic,
          HEARTBEAT_MS: '500',
          TTL_MS: '2000',
          ...clockSkewEnv(skewMs),
        }),
      );
    }
    await Promise.all(children.map((c) => c.waitForLine(/^READY/, 120_000)));
    const listed = (app: INestApplicationContext) => app.get(DiscoveryClient).instances().map((i) => i.service).sort();
    const both = [services.ahead, services.behind].sort();
    await waitFor(() => JSON.stringify(listed(reader)) === JSON.stringify(both), { timeoutMs: 15_000, description: 'both announcers listed' });

    // A reader that starts later replays their records first, then hears their heartbeats.
    const late = await startReader();
    readers.push(late);
    await waitFor(() => JSON.stringify(listed(late)) === JSON.stringify(both), { timeoutMs: 15_000, description: 'both announcers listed by a late reader' });

    await Promise.all(children.map((c) => c.kill('SIGKILL')));
    // TTL 2 s on the readers' clocks; the announcers' timestamps are ten minutes off either way.
    for (const app of [reader, late]) {
      await waitFor(() => listed(app).length === 0, { timeoutMs: 20_000, description: 'killed announcers to age out' });
    }
  });
});
