import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KafkaClient } from '@tributary/kafka';
import { RpcClientFactory, rpcReplyTopic, type RpcClient } from '@tributary/rpc';
import { testBrokers, uniqueName } from '@tributary/testing';
import { resolve } from 'node:path';
import { ChildApp } from '../../../test/support/child-app';
import { inventoryApp, ReserveStock, Sleep } from './fixtures/inventory';

jest.setTimeout(180_000);

const CALLERS = 20;
const CALLS = 5;
/** Generous for a loaded machine: the defect shows as no answer at all, whatever the timeout. */
const CALL_TIMEOUT_MS = 15_000;

/**
 * One long-running server, callers that come and go: a caller that stops (and deletes its reply
 * topic) or dies must not silence the server for the callers after it.
 */
describe('RPC server with callers coming and going', () => {
  const topicPrefix = uniqueName('rpc-churn');
  const children: ChildApp[] = [];
  const apps: INestApplicationContext[] = [];
  let server: ChildApp;

  beforeAll(async () => {
    server = ChildApp.start(resolve(__dirname, 'fixtures/inventory-server.ts'), {
      KAFKA_BROKERS: testBrokers().join(','),
      TOPIC_PREFIX: topicPrefix,
      INSTANCE_NAME: 'server',
      LOG_LEVELS: 'warn,error',
    });
    await server.waitForLine(/^READY/, 120_000);
  });

  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill()));
    await Promise.all(apps.map((a) => a.close()));
    await server?.kill();
  });

  async function startCaller(instanceId?: string): Promise<{ app: INestApplicationContext; inventory: RpcClient }> {
    const registry = instanceId ? { registryTopic: uniqueName('registry'), instanceId } : {};
    const app = await NestFactory.createApplicationContext(inventoryApp({ brokers: testBrokers(), topicPrefix, clients: ['inventory'], ...registry }), {
      logger: ['error'],
    });
    apps.push(app);
    await app.init();
    return { app, inventory: app.get(RpcClientFactory).client({ service: 'inventory', timeoutMs: CALL_TIMEOUT_MS }) };
  }

  async function stop(app: INestApplicationContext): Promise<void> {
    await app.close();
    apps.splice(apps.indexOf(app), 1);
  }

  /** How `CALLS` calls ended: `ok` (their own answer), `wrong-reply` or the error's name. */
  async function outcomes(inventory: RpcClient, nonce: string): Promise<string[]> {
    return Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        inventory.call(ReserveStock, { sku: `${nonce}-${i}`, quantity: 1 }).then(
          (r) => (r.reservationId === `${nonce}-${i}` ? 'ok' : 'wrong-reply'),
          (e: Error) => e.name,
        ),
      ),
    );
  }
  const allOk = Array.from({ length: CALLS }, () => 'ok');

  it(`answers every call of ${CALLERS} callers started one after another, stopped gracefully or SIGKILLed`, async () => {
    for (let n = 0; n < CALLERS; n++) {
      const nonce = `caller${n}`;
      if (n % 5 === 4) {
        // Killed with calls in flight: its reply topic stays, the server still answers into it.
        const child = ChildApp.start(resolve(__dirname, 'fixtures/inventory-caller.ts'), {
          KAFKA_BROKERS: testBrokers().join(','),
          TOPIC_PREFIX: topicPrefix,
          NONCE: nonce,
          CALLS: String(CALLS),
          CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS),
          IN_FLIGHT: '2',
          SLEEP_MS: '300',
        });
        children.push(child);
        const [line] = await child.waitForLine(/^ANSWERED .*/, 120_000);
        await child.waitForLine(/^IN_FLIGHT/);
        await child.kill('SIGKILL');
        expect({ caller: n, line: line.trim() }).toEqual({ caller: n, line: `ANSWERED ${CALLS}/${CALLS}` });
      } else {
        const { app, inventory } = await startCaller();
        expect({ caller: n, outcomes: await outcomes(inventory, nonce) }).toEqual({ caller: n, outcomes: allOk });
        await stop(app);
      }
    }
  });

  it('logs a reply topic that vanished mid-flight once and keeps answering the other callers', async () => {
    const instanceId = uniqueName('vanishing');
    const { app, inventory } = await startCaller(instanceId);
    const replyTopic = rpcReplyTopic(topicPrefix, 'orders', instanceId);
    expect(await outcomes(inventory, 'before-vanish')).toEqual(allOk);
    // Three replies, due at different times, to a topic deleted while they are being worked on.
    const doomed = [1500, 2000, 2500].map((ms) => inventory.call(Sleep, { ms }, { timeout: 4000 }).catch(() => undefined));
    const admin = await app.get(KafkaClient).admin.client();
    await admin.deleteTopics({ topics: [replyTopic], timeout: 5000 });
    await stop(app);
    await Promise.all(doomed);

    const next = await startCaller();
    expect(await outcomes(next.inventory, 'after-vanish')).toEqual(allOk);
    await stop(next.app);
    // Replies leave in order: once this one (due 3 s after its request) is back, all three doomed ones were tried.
    const after = await startCaller();
    expect((await after.inventory.call(Sleep, { ms: 3000 })).sleptMs).toBe(3000);
    expect(await outcomes(after.inventory, 'after-the-drops')).toEqual(allOk);
    await stop(after.app);
    expect(server.lines.filter((l) => l.includes(replyTopic))).toHaveLength(1);
  });

  it('lets a caller SIGKILLed with calls in flight and restarted with the same instance id call at once, each call getting its own answer', async () => {
    const instanceId = uniqueName('stable');
    const registryTopic = uniqueName('registry');
    const first = ChildApp.start(resolve(__dirname, 'fixtures/inventory-caller.ts'), {
      KAFKA_BROKERS: testBrokers().join(','),
      TOPIC_PREFIX: topicPrefix,
      REGISTRY_TOPIC: registryTopic,
      INSTANCE_ID: instanceId,
      NONCE: 'old',
      CALLS: String(CALLS),
      IN_FLIGHT: '10',
      SLEEP_MS: '4000',
    });
    children.push(first);
    expect((await first.waitForLine(/^ANSWERED .*/, 120_000))[0].trim()).toBe(`ANSWERED ${CALLS}/${CALLS}`);
    await first.waitForLine(/^IN_FLIGHT/);
    await first.kill('SIGKILL');

    // Same instance id, so the same reply topic: it holds the old replies, and more arrive as the old calls end.
    const startedAt = Date.now();
    const app = await NestFactory.createApplicationContext(
      inventoryApp({ brokers: testBrokers(), topicPrefix, clients: ['inventory'], registryTopic, instanceId }),
      { logger: ['error'] },
    );
    apps.push(app);
    await app.init();
    const inventory = app.get(RpcClientFactory).client({ service: 'inventory', timeoutMs: CALL_TIMEOUT_MS });
    const firstAnswer = await inventory.call(ReserveStock, { sku: 'new-first', quantity: 1 }).then((r) => r.reservationId, (e: Error) => e.name);
    const firstAnswerMs = Date.now() - startedAt;
    expect(firstAnswer).toBe('new-first');
    expect(firstAnswerMs).toBeLessThanOrEqual(5000);

    // Pending while the old calls' replies land on the topic: each must get the answer to its own request.
    const sleeps = Array.from({ length: 20 }, (_, i) => 3000 + i * 10);
    const skus = Array.from({ length: 10 }, (_, i) => `new-${i}`);
    const [slept, reserved] = await Promise.all([
      Promise.all(sleeps.map((ms) => inventory.call(Sleep, { ms }).then((r) => r.sleptMs, (e: Error) => e.name))),
      Promise.all(skus.map((sku) => inventory.call(ReserveStock, { sku, quantity: 1 }).then((r) => r.reservationId, (e: Error) => e.name))),
    ]);
    expect(slept).toEqual(sleeps);
    expect(reserved).toEqual(skus);
    await stop(app);
  });
});
