import { filesUnder, runAndDiff, seedMonorepo, tributaryRunner } from '../test-support/workspace';

describe('event schematic', () => {
  const runner = tributaryRunner();

  it('creates an @IntegrationEvent class with class-validator rules in the service', async () => {
    const before = await seedMonorepo();
    const { tree, created } = await runAndDiff(runner, 'event', { name: 'OrderPlaced', service: 'orders', key: 'orderId' }, before);
    expect(created).toEqual([
      '/apps/orders/src/events/order-placed.event.spec.ts',
      '/apps/orders/src/events/order-placed.event.ts',
    ]);
    const spec = tree.readContent('/apps/orders/src/events/order-placed.event.spec.ts');
    expect(spec).toContain("new OrderPlaced({ orderId: 'key-1', occurredAt: new Date().toISOString() })");
    expect(spec).toContain("toMatchObject({ type: 'orders.order-placed', topic: 'orders.events', version: 1 })");
    const event = tree.readContent('/apps/orders/src/events/order-placed.event.ts');
    expect(event).toContain("import { IntegrationEvent } from '@tributary/kafka';");
    expect(event).toContain("@IntegrationEvent({ type: 'orders.order-placed', topic: 'orders.events', version: 1, key: 'orderId' })");
    expect(event).toContain('export class OrderPlaced {');
    expect(event).toMatch(/@IsString\(\)\s+@IsNotEmpty\(\)\s+@MaxLength\(200\)\s+orderId!: string;/);
    expect(event).toMatch(/@IsISO8601\(\)\s+occurredAt!: string;/);
    // The module is not touched: events are plain classes.
    expect(tree.readContent('/apps/orders/src/orders.module.ts')).toBe(before.readContent('/apps/orders/src/orders.module.ts'));
  });

  it("lists the event in the service's OutboxModule.forRoot({ events })", async () => {
    const base = await runner.runSchematic('service', { name: 'payments' }, await seedMonorepo());
    const tree = await runner.runSchematic('event', { name: 'payment-captured', service: 'payments', key: 'paymentId' }, base);
    const module = tree.readContent('/apps/payments/src/payments.module.ts');
    expect(module).toContain('OutboxModule.forRoot({ events: [RecordCreated, PaymentCaptured], ensureSchema: !production })');
    expect(module).toContain("import { PaymentCaptured } from './events/payment-captured.event';");
    // A service without the outbox keeps its module as it was.
    const bare = await runner.runSchematic('service', { name: 'ledger', outbox: false }, await seedMonorepo());
    const before = bare.readContent('/apps/ledger/src/ledger.module.ts');
    const after = await runner.runSchematic('event', { name: 'entry-posted', service: 'ledger' }, bare);
    expect(after.readContent('/apps/ledger/src/ledger.module.ts')).toBe(before);
  });

  it('finds the service from -p (project) or from the sourceRoot the Nest CLI passes', async () => {
    const byProject = await runner.runSchematic('event', { name: 'order-shipped', project: 'orders', topic: 'orders.shipping' }, await seedMonorepo());
    expect(byProject.readContent('/apps/orders/src/events/order-shipped.event.ts')).toContain("topic: 'orders.shipping'");
    const bySourceRoot = await runner.runSchematic(
      'event',
      { name: 'order-shipped', sourceRoot: 'apps/orders/src', specFileSuffix: 'test' },
      await seedMonorepo(),
    );
    expect(filesUnder(bySourceRoot, '/apps/orders/src/events/')).toEqual([
      '/apps/orders/src/events/order-shipped.event.test.ts',
      '/apps/orders/src/events/order-shipped.event.ts',
    ]);
    const noSpec = await runner.runSchematic('event', { name: 'order-shipped', service: 'orders', spec: false }, await seedMonorepo());
    expect(filesUnder(noSpec, '/apps/orders/src/events/')).toEqual(['/apps/orders/src/events/order-shipped.event.ts']);
  });

  it('says what to fix for a missing or unknown service, a clash and bad names', async () => {
    const tree = await seedMonorepo();
    await expect(runner.runSchematic('event', { name: 'order-placed' }, tree)).rejects.toThrow(/Which service\? Pass --service <name>.*orders, tributary/);
    await expect(runner.runSchematic('event', { name: 'order-placed', service: 'billing' }, tree)).rejects.toThrow(
      /Service "billing" is not an application in nest-cli.json projects \(applications: orders, tributary\)/,
    );
    await expect(runner.runSchematic('event', { name: 'order placed!', service: 'orders' }, tree)).rejects.toThrow(/Invalid event name/);
    await expect(runner.runSchematic('event', { name: 'x', service: 'orders', topic: 'bad topic' }, tree)).rejects.toThrow(/Invalid topic "bad topic"/);
    await expect(runner.runSchematic('event', { name: 'x', service: 'orders', key: 'order-id' }, tree)).rejects.toThrow(/Invalid key "order-id"/);
    await expect(runner.runSchematic('event', { name: 'x', service: 'orders', specFileSuffix: '../x' }, tree)).rejects.toThrow(/Invalid spec file suffix/);
    const once = await runner.runSchematic('event', { name: 'order-placed', service: 'orders' }, tree);
    await expect(runner.runSchematic('event', { name: 'order-placed', service: 'orders' }, once)).rejects.toThrow(
      /apps\/orders\/src\/events\/order-placed.event.ts already exists/,
    );
  });
});
