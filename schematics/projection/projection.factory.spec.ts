import { runAndDiff, seedMonorepo, tributaryRunner } from '../test-support/workspace';

describe('projection schematic', () => {
  const runner = tributaryRunner();

  async function withServices() {
    let tree = await runner.runSchematic('service', { name: 'customers' }, await seedMonorepo());
    tree = await runner.runSchematic('event', { name: 'customer-registered', service: 'customers', key: 'customerId' }, tree);
    return runner.runSchematic('service', { name: 'billing' }, tree);
  }

  it('creates a @Projection with an @On handler and its entity, and wires both into the module', async () => {
    const before = await withServices();
    const { tree, created } = await runAndDiff(runner, 'projection', { name: 'customer-directory', service: 'billing', event: 'customer-registered' }, before);
    expect(created).toEqual([
      '/apps/billing/src/projections/customer-directory.entity.ts',
      '/apps/billing/src/projections/customer-directory.projection.ts',
    ]);
    const projection = tree.readContent('/apps/billing/src/projections/customer-directory.projection.ts');
    expect(projection).toContain("import { CustomerRegistered } from '../../../customers/src/events/customer-registered.event';");
    expect(projection).toContain("@Projection({ name: 'billing.customer-directory', tables: [CustomerDirectoryRow] })");
    expect(projection).toContain('export class CustomerDirectoryProjection {');
    expect(projection).toMatch(/@On\(CustomerRegistered\)\s+async onCustomerRegistered\(event: CustomerRegistered, context: ProjectionContext\)/);
    const entity = tree.readContent('/apps/billing/src/projections/customer-directory.entity.ts');
    expect(entity).toContain("@Entity({ name: 'billing_customer_directory' })");
    expect(entity).toContain('export class CustomerDirectoryRow {');

    const module = tree.readContent('/apps/billing/src/billing.module.ts');
    expect(module).toContain("import { CustomerDirectoryRow } from './projections/customer-directory.entity';");
    expect(module).toContain("import { CustomerDirectoryProjection } from './projections/customer-directory.projection';");
    expect(module).toMatch(/TypeOrmModule\.forFeature\(\[CustomerDirectoryRow\]\)\s*,?\s*\]/);
    expect(module).toMatch(/providers: \[BillingService,\s*CustomerDirectoryProjection\]/);
  });

  it("projects the service's own sample event by default", async () => {
    const tree = await runner.runSchematic('projection', { name: 'records', project: 'billing' }, await withServices());
    expect(tree.readContent('/apps/billing/src/projections/records.projection.ts')).toContain(
      "import { RecordCreated } from '../events/record-created.event';",
    );
  });

  it('says what to fix when the event is missing or ambiguous, or the module lacks ProjectionsModule', async () => {
    const tree = await withServices();
    await expect(runner.runSchematic('projection', { name: 'p', service: 'billing', event: 'nothing-happened' }, tree)).rejects.toThrow(
      /Event "nothing-happened" not found .*nest g -c @tributary\/schematics event nothing-happened/,
    );
    // customers and shipping both have record-created; billing (without its own) cannot choose.
    const noOwnSample = await runner.runSchematic('service', { name: 'shipping' }, tree);
    noOwnSample.delete('/apps/billing/src/events/record-created.event.ts');
    await expect(runner.runSchematic('projection', { name: 'p', service: 'billing' }, noOwnSample)).rejects.toThrow(
      /Event "record-created" exists in several services/,
    );
    await expect(runner.runSchematic('projection', { name: 'p', service: 'orders' }, tree)).rejects.toThrow(
      /apps\/orders\/src\/orders.module.ts does not import ProjectionsModule: add `ProjectionsModule.forRoot\(\{\}\)`/,
    );
  });
});
