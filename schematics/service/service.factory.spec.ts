import type { UnitTestTree } from '@angular-devkit/schematics/testing';
import { filesUnder, readJson, seedMonorepo, seedStandardApp, tributaryRunner } from '../test-support/workspace';

describe('service schematic', () => {
  const runner = tributaryRunner();

  it('creates a wired app in apps/<name> and registers it in nest-cli.json', async () => {
    const before = await seedMonorepo();
    const otherFiles = before.files.slice().sort();
    const tree = await runner.runSchematic('service', { name: 'payments' }, before);

    expect(filesUnder(tree, '/apps/payments/')).toEqual([
      '/apps/payments/src/events/record-created.event.spec.ts',
      '/apps/payments/src/events/record-created.event.ts',
      '/apps/payments/src/main.ts',
      '/apps/payments/src/payments.module.ts',
      '/apps/payments/src/payments.service.ts',
      '/apps/payments/tsconfig.app.json',
    ]);
    // Nothing else created or deleted.
    expect(tree.files.filter((f) => !f.startsWith('/apps/payments/')).sort()).toEqual(otherFiles);

    const module = tree.readContent('/apps/payments/src/payments.module.ts');
    expect(module).toContain("KafkaModule.forRoot({ brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', serviceName: 'payments' })");
    expect(module).toContain("import { TypeOrmModule } from '@nestjs/typeorm';");
    expect(module).toContain('TypeOrmModule.forRoot({');
    expect(module).toContain('OutboxModule.forRoot({ events: [RecordCreated], ensureSchema: !production })');
    expect(module).toContain('ProjectionsModule.forRoot({})');
    expect(module).toContain('RpcModule.forRoot({ clients: [] })');
    expect(module).toContain('DiscoveryModule.forRoot({})');
    expect(module).toContain("@TributaryService({ name: 'payments', version: '0.1.0' })");
    expect(module).toContain('providers: [PaymentsService]');
    expect(module).toContain('export class PaymentsModule {}');

    expect(tree.readContent('/apps/payments/src/main.ts')).toContain("import { PaymentsModule } from './payments.module';");
    expect(tree.readContent('/apps/payments/src/payments.service.ts')).toContain('this.outbox.publish(manager, new RecordCreated(');
    const event = tree.readContent('/apps/payments/src/events/record-created.event.ts');
    expect(event).toContain("@IntegrationEvent({ type: 'payments.record-created', topic: 'payments.events', version: 1, key: 'id' })");
    expect(event).toContain('export class RecordCreated {');
    expect(readJson(tree, '/apps/payments/tsconfig.app.json').compilerOptions.outDir).toBe('../../dist/apps/payments');

    const cli = readJson(tree, '/nest-cli.json');
    expect(cli.monorepo).toBe(true);
    expect(cli.projects.payments).toEqual({
      type: 'application',
      root: 'apps/payments',
      entryFile: 'main',
      sourceRoot: 'apps/payments/src',
      compilerOptions: { tsConfigPath: 'apps/payments/tsconfig.app.json' },
    });
    expect(Object.keys(cli.projects).sort()).toEqual(['orders', 'payments', 'tributary']);

    // The packages the code imports, added to what the user had (install is up to them).
    const dependencies = readJson(tree, '/package.json').dependencies;
    expect(dependencies).toEqual({
      ...readJson(before, '/package.json').dependencies,
      '@nestjs/typeorm': '^11.0.0',
      '@tributary/discovery': '^0.1.0',
      '@tributary/kafka': '^0.1.0',
      '@tributary/outbox': '^0.1.0',
      '@tributary/projections': '^0.1.0',
      '@tributary/rpc': '^0.1.0',
      'class-transformer': '^0.5.1',
      'class-validator': '^0.14.0',
      kafkajs: '^2.2.4',
      pg: '^8.11.0',
      typeorm: '^0.3.20',
    });
  });

  it('wires only the modules asked for', async () => {
    const seed = await seedMonorepo();
    // A workspace that maps @tributary/kafka itself (like Tributary's repo) and pins its own typeorm.
    const tsconfig = readJson(seed, '/tsconfig.json');
    tsconfig.compilerOptions.paths = { '@tributary/kafka': ['libs/kafka/src'] };
    seed.overwrite('/tsconfig.json', JSON.stringify(tsconfig));
    const manifest = readJson(seed, '/package.json');
    manifest.dependencies.typeorm = '0.3.31';
    seed.overwrite('/package.json', JSON.stringify(manifest));
    const tree = await runner.runSchematic('service', { name: 'Ledger', outbox: false, projections: false, rpc: true, discovery: false, spec: false }, seed);
    expect(filesUnder(tree, '/apps/ledger/')).toEqual([
      '/apps/ledger/src/events/record-created.event.ts',
      '/apps/ledger/src/ledger.module.ts',
      '/apps/ledger/src/main.ts',
      '/apps/ledger/tsconfig.app.json',
    ]);
    const module = tree.readContent('/apps/ledger/src/ledger.module.ts');
    expect(module).toContain("serviceName: 'ledger'");
    expect(module).toContain('RpcModule.forRoot');
    for (const absent of ['OutboxModule', 'ProjectionsModule', 'DiscoveryModule', 'TributaryService', 'LedgerService', 'RecordCreated']) {
      expect(module).not.toContain(absent);
    }
    const dependencies = readJson(tree, '/package.json').dependencies;
    expect(Object.keys(dependencies).filter((d) => d.startsWith('@tributary/'))).toEqual(['@tributary/rpc']);
    expect(dependencies.typeorm).toBe('0.3.31');
  });

  it('points the @tributary/* dependencies at a registry version or at packed tarballs', async () => {
    // A fresh workspace per run: a listed dependency is never changed (the user's version wins).
    const generate = async (options: object) => runner.runSchematic('service', options, await seedMonorepo());
    const tributaryDeps = (tree: UnitTestTree) =>
      Object.fromEntries(Object.entries(readJson(tree, '/package.json').dependencies as Record<string, string>).filter(([d]) => d.startsWith('@tributary/')));

    const pinned = await generate({ name: 'payments', tributaryVersion: '0.2.0' });
    expect(tributaryDeps(pinned)).toEqual({
      '@tributary/discovery': '0.2.0',
      '@tributary/kafka': '0.2.0',
      '@tributary/outbox': '0.2.0',
      '@tributary/projections': '0.2.0',
      '@tributary/rpc': '0.2.0',
    });
    expect(readJson(pinned, '/package.json').dependencies.kafkajs).toBe('^2.2.4');

    // The tarballs of `npm run pack`; the default range ^0.1.0 names the 0.1.0 tarballs. RPC needs
    // @tributary/discovery: with tarballs it must be listed too, though the service does not wire it.
    const packed = await generate({ name: 'ledger', rpc: true, outbox: false, discovery: false, tributarySource: 'file:../tributary/packages/' });
    expect(tributaryDeps(packed)).toEqual({
      '@tributary/discovery': 'file:../tributary/packages/tributary-discovery-0.1.0.tgz',
      '@tributary/kafka': 'file:../tributary/packages/tributary-kafka-0.1.0.tgz',
      '@tributary/projections': 'file:../tributary/packages/tributary-projections-0.1.0.tgz',
      '@tributary/rpc': 'file:../tributary/packages/tributary-rpc-0.1.0.tgz',
    });
    const versioned = await generate({ name: 'stock', tributarySource: 'file:packages', tributaryVersion: '0.3.1-rc.1' });
    expect(tributaryDeps(versioned)['@tributary/outbox']).toBe('file:packages/tributary-outbox-0.3.1-rc.1.tgz');

    await expect(generate({ name: 'bad', tributarySource: 'file:packages', tributaryVersion: '>=0.1.0 <1' })).rejects.toThrow(
      /must be an exact version/,
    );
    await expect(generate({ name: 'bad', tributarySource: 'github:acme/tributary' })).rejects.toThrow(
      /use "registry" or "file:<folder>"/,
    );
    await expect(generate({ name: 'bad', tributaryVersion: ' ' })).rejects.toThrow(/--tributary-version is empty/);
  });

  it('refuses a workspace that is not a monorepo, an existing project and a bad name', async () => {
    await expect(runner.runSchematic('service', { name: 'payments' }, await seedStandardApp())).rejects.toThrow(
      /nest-cli.json has no "monorepo": true/,
    );
    const tree = await seedMonorepo();
    await expect(runner.runSchematic('service', { name: 'orders' }, tree)).rejects.toThrow(/already has a project "orders"/);
    await expect(runner.runSchematic('service', { name: '9lives' }, tree)).rejects.toThrow(/Invalid service name "9lives"/);
    expect(tree.files.some((f) => f.startsWith('/apps/9lives') || f.includes('payments'))).toBe(false);
  });
});
