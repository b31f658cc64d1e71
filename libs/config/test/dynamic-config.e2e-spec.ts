import 'reflect-metadata';
import { Injectable, Module, type INestApplicationContext, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { KafkaClient, KafkaModule } from '@tributary/kafka';
import {
  ConfigHeaders,
  ConfigWriteRefusedException,
  DynamicConfig,
  DynamicConfigModule,
  DynamicConfigService,
  InjectConfig,
  InvalidConfigValueException,
  type ConfigHandle,
} from '@tributary/config';
import { TopicCapture, testBrokers, uniqueName, waitFor } from '@tributary/testing';
import { IsBoolean, IsInt, Min } from 'class-validator';

jest.setTimeout(90_000);

/** The requirement: a change reaches every live instance within 2 s. */
const PROPAGATION_BOUND_MS = 2_000;

const topic = uniqueName('config');
const service = uniqueName('orders');

@DynamicConfig({ entry: 'limits' })
class OrderLimits {
  @IsInt() @Min(1) maxItems = 10;
  @IsBoolean() allowBackorder = false;
}

@DynamicConfig({ service: 'pricing', entry: 'rules' })
class PricingRules {
  @IsInt() discountPercent = 0;
}

@Injectable()
class LimitsReader {
  constructor(@InjectConfig(OrderLimits) readonly limits: ConfigHandle<OrderLimits>) {}
}

/** Keeps every warning logged by any app of this process (Nest's logger is process-wide). */
class CapturingLogger implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown, context?: string): void {
    this.warnings.push(`${context ?? ''} ${String(message)}`);
  }
}
const logger = new CapturingLogger();

interface Instance {
  app: INestApplicationContext;
  config: DynamicConfigService;
  handle: ConfigHandle<OrderLimits>;
}

async function startInstance(instanceId: string): Promise<Instance> {
  @Module({
    imports: [
      KafkaModule.forRoot({ brokers: testBrokers(), serviceName: service, logLevel: 'error' }),
      DynamicConfigModule.forRoot({ topic, instanceId, configs: [OrderLimits] }),
    ],
    providers: [LimitsReader],
  })
  class InstanceModule {}
  const moduleRef = await Test.createTestingModule({ imports: [InstanceModule] }).setLogger(logger).compile();
  const app = await moduleRef.init();
  return { app, config: app.get(DynamicConfigService), handle: app.get(LimitsReader).limits };
}

describe('dynamic configuration (real Kafka)', () => {
  const instances: Instance[] = [];
  let capture: TopicCapture | undefined;

  beforeAll(async () => {
    for (const id of ['a', 'b', 'c']) instances.push(await startInstance(`${service}-${id}`));
    capture = await TopicCapture.start(testBrokers(), [topic]);
  });

  afterAll(async () => {
    await capture?.stop();
    await Promise.all(instances.map((i) => i.app.close()));
  });

  it('starts every instance on the declared defaults', () => {
    for (const { config, handle } of instances) {
      expect(config.get(OrderLimits)).toEqual(Object.assign(new OrderLimits(), { maxItems: 10, allowBackorder: false }));
      expect(handle.get().maxItems).toBe(10);
    }
  });

  it('a change written by one instance reaches all three within 2 s, and watchers see it once', async () => {
    const [a, b, c] = instances;
    const watched: number[][] = instances.map(() => []);
    const arrivals: Array<number | undefined> = instances.map(() => undefined);
    const startedAt = Date.now();
    const subscriptions = instances.map(({ handle }, i) =>
      handle.watch().subscribe((v) => {
        watched[i].push(v.maxItems);
        if (v.maxItems === 25) arrivals[i] ??= Date.now() - startedAt;
      }),
    );
    // The bound runs from the call to set(), not from its return: it covers the write and every read.
    const writing = a.config.set(OrderLimits, { maxItems: 25 }, { actor: 'alice' });
    await waitFor(() => instances.every(({ handle }) => handle.get().maxItems === 25), {
      timeoutMs: PROPAGATION_BOUND_MS,
      intervalMs: 10,
      description: 'the change on all three instances',
    });
    const written = await writing;
    expect(written).toMatchObject({ maxItems: 25, allowBackorder: false });
    expect(Object.isFrozen(written)).toBe(true);
    expect(b.config.get(OrderLimits).maxItems).toBe(25);
    expect(c.config.get(OrderLimits).maxItems).toBe(25);
    subscriptions.forEach((s) => s.unsubscribe());
    console.log(`dynamic-config propagation ms: ${JSON.stringify({ a: arrivals[0], b: arrivals[1], c: arrivals[2] })}`);
    for (const seen of watched) expect(seen).toEqual([10, 25]);
  });

  it('writes the audit headers: actor, time, previous value, writing instance and service', async () => {
    const [a] = instances;
    await a.config.set(OrderLimits, { allowBackorder: true }, { actor: 'bob' });
    // set() resolves once the writer itself holds the new value (merged over the current one).
    expect(a.config.get(OrderLimits)).toMatchObject({ maxItems: 25, allowBackorder: true });
    const messages = await capture!.waitForCount(2, 10_000);
    const [first, second] = messages.filter((m) => m.key === `${service}/limits`);
    expect(first.headers).toMatchObject({
      [ConfigHeaders.ACTOR]: 'alice',
      [ConfigHeaders.PREVIOUS]: 'null',
      [ConfigHeaders.INSTANCE]: `${service}-a`,
      'tributary-source': service,
    });
    expect(JSON.parse(first.value!.toString())).toEqual({ maxItems: 25, allowBackorder: false });
    expect(second.headers[ConfigHeaders.ACTOR]).toBe('bob');
    expect(JSON.parse(second.headers[ConfigHeaders.PREVIOUS])).toEqual({ maxItems: 25, allowBackorder: false });
    expect(JSON.parse(second.value!.toString())).toEqual({ maxItems: 25, allowBackorder: true });
    const changedAt = Date.parse(second.headers[ConfigHeaders.CHANGED_AT]);
    expect(Math.abs(Date.now() - changedAt)).toBeLessThan(60_000);
    // Readers keep the same audit trail, once the change reached them (the capture consumer above
    // seeing it says nothing about when a reader's own consumer does).
    await waitFor(() => instances[2].config.history(OrderLimits).length >= 2, { timeoutMs: 10_000, description: "bob's change in a reader's history" });
    const history = instances[2].config.history(OrderLimits);
    expect(history.map((h) => [h.actor, h.operation, h.applied])).toEqual([
      ['alice', 'set', true],
      ['bob', 'set', true],
    ]);
  });

  it('refuses an invalid value at the writer with a typed error listing the broken rules, and writes nothing', async () => {
    const [a, b] = instances;
    const kafka = a.app.get(KafkaClient);
    const before = await kafka.admin.highWatermarks(topic);
    const error = await a.config.set(OrderLimits, { maxItems: 0, allowBackorder: 'yes' as never }, { actor: 'mallory' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidConfigValueException);
    const violations = (error as InvalidConfigValueException).violations.map((v) => `${v.property}:${v.constraint}`).sort();
    expect(violations).toEqual(['allowBackorder:isBoolean', 'maxItems:min']);
    await expect(a.config.set(OrderLimits, { maxItem: 3 } as never, { actor: 'mallory' })).rejects.toThrow(/maxItem \(unknownProperty\)/);
    await expect(a.config.set(OrderLimits, { maxItems: 3 }, { actor: '' })).rejects.toBeInstanceOf(ConfigWriteRefusedException);
    await expect(a.config.set(PricingRules, { discountPercent: 5 }, { actor: 'mallory' })).rejects.toThrow(/belongs to service "pricing"/);
    expect(await kafka.admin.highWatermarks(topic)).toEqual(before);
    expect(b.config.get(OrderLimits).maxItems).toBe(25);
  });

  it('ignores a value written invalid by another tool, with a warning naming the entry and rules but not the payload', async () => {
    const [a] = instances;
    const producer = await a.app.get(KafkaClient).producer();
    await producer.send({ topic, messages: [{ key: `${service}/limits`, value: JSON.stringify({ maxItems: -987654 }) }] });
    await waitFor(() => instances.every(({ config }) => config.history(OrderLimits).some((h) => !h.applied)), {
      timeoutMs: 10_000,
      description: 'every instance to read the invalid record',
    });
    for (const { config } of instances) expect(config.get(OrderLimits)).toMatchObject({ maxItems: 25, allowBackorder: true });
    const warnings = logger.warnings.filter((w) => w.includes(`"${service}/limits"`));
    expect(warnings).toHaveLength(3);
    for (const warning of warnings) {
      expect(warning).toContain('maxItems: min');
      expect(warning).not.toContain('987654');
    }
  });

  it('a restarted instance reads the latest value before its init resolves', async () => {
    const [a, , c] = instances;
    await c.app.close();
    await a.config.set(OrderLimits, { maxItems: 40 }, { actor: 'alice' });
    // Same instance id, so the same consumer group: nothing committed there may skip records.
    const restarted = await startInstance(`${service}-c`);
    instances[2] = restarted;
    expect(restarted.config.get(OrderLimits)).toMatchObject({ maxItems: 40, allowBackorder: true });
    expect(restarted.handle.get().maxItems).toBe(40);
  });

  it('a deleted entry falls back to the declared default everywhere, also after a restart', async () => {
    const [a, b] = instances;
    await a.config.delete(OrderLimits, { actor: 'carol' });
    expect(a.config.get(OrderLimits)).toEqual(new OrderLimits());
    await waitFor(() => instances.every(({ config }) => config.get(OrderLimits).maxItems === 10), {
      timeoutMs: PROPAGATION_BOUND_MS,
      intervalMs: 10,
      description: 'every instance back on the default',
    });
    const tombstone = b.config.history(OrderLimits).at(-1)!;
    expect(tombstone).toMatchObject({ operation: 'delete', actor: 'carol', applied: true });
    expect(JSON.parse(tombstone.previous!)).toEqual({ maxItems: 40, allowBackorder: true });
    await instances[1].app.close();
    instances[1] = await startInstance(`${service}-b`);
    expect(instances[1].config.get(OrderLimits)).toEqual(new OrderLimits());
  });
});
