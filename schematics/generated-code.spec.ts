import { getIntegrationEventMetadata, InvalidIntegrationEventException, serializeIntegrationEvent } from '@tributary/kafka';
import { getRpcContract } from '@tributary/rpc';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, removeDir, run, scratchDir, writeTree } from './test-support/scratch-dir';
import { seedMonorepo, tributaryRunner } from './test-support/workspace';

/**
 * The generated code is only useful if it compiles against the real libs: generate services with
 * every generator, write them into the repo and type-check them with the repo's strict tsconfig
 * (whose paths map @tributary/* to libs/<x>/src).
 */
describe('generated code', () => {
  let dir: string | undefined;
  afterAll(() => removeDir(dir));

  it('type-checks against @tributary/* (strict, isolatedModules), loads, and its own unit tests pass', async () => {
    const runner = tributaryRunner();
    let tree = await seedMonorepo();
    tree = await runner.runSchematic('service', { name: 'payments' }, tree);
    tree = await runner.runSchematic('event', { name: 'payment-captured', service: 'payments', key: 'paymentId' }, tree);
    tree = await runner.runSchematic('projection', { name: 'payment-ledger', service: 'payments', event: 'payment-captured' }, tree);
    tree = await runner.runSchematic('projection', { name: 'records', service: 'payments' }, tree);
    tree = await runner.runSchematic('rpc-handler', { name: 'get-balance', service: 'payments', idempotent: true }, tree);
    tree = await runner.runSchematic('service', { name: 'billing' }, tree);
    tree = await runner.runSchematic('projection', { name: 'payments-seen', service: 'billing', event: 'payment-captured' }, tree);
    tree = await runner.runSchematic('service', { name: 'ledger', outbox: false, projections: false, rpc: false, discovery: false }, tree);

    dir = scratchDir('typecheck');
    const files = writeTree(tree, dir, ['/apps/payments/', '/apps/billing/', '/apps/ledger/']);
    expect(files.length).toBeGreaterThan(15);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: path.relative(dir, path.join(REPO_ROOT, 'tsconfig.json')),
        // isolatedModules as in the tsconfig `nest new` writes: type-only imports in decorated signatures must say so.
        compilerOptions: { noEmit: true, types: ['node', 'jest'], isolatedModules: true },
        include: ['apps/**/*.ts'],
        exclude: [],
      }),
    );
    const tsc = require.resolve('typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: REPO_ROOT }).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    // Any diagnostic fails, wherever it is: generated code that only compiles when errors in the libs
    // it imports are ignored does not compile in a user's app either.
    expect(result.output.trim()).toBe('');
    expect(result.code).toBe(0);

    // Loading the modules runs every decorator (names are checked there, not by the compiler).
    const load = <T>(file: string): T => require(path.join(dir!, file)) as T;
    const { PaymentsModule } = load<{ PaymentsModule: Function }>('apps/payments/src/payments.module.ts');
    expect(Reflect.getMetadata('providers', PaymentsModule)).toHaveLength(4);
    const { PaymentCaptured } = load<{ PaymentCaptured: new (f: object) => object }>('apps/payments/src/events/payment-captured.event.ts');
    expect(getIntegrationEventMetadata(PaymentCaptured)).toMatchObject({ type: 'payments.payment-captured', topic: 'payments.events', version: 1 });
    expect(serializeIntegrationEvent(new PaymentCaptured({ paymentId: 'p-1', occurredAt: new Date().toISOString() })).key).toBe('p-1');
    expect(() => serializeIntegrationEvent(new PaymentCaptured({ paymentId: '', occurredAt: 'yesterday' }))).toThrow(InvalidIntegrationEventException);
    const { GetBalanceRequest } = load<{ GetBalanceRequest: Function }>('apps/payments/src/rpc/get-balance.contract.ts');
    expect(getRpcContract(GetBalanceRequest)).toMatchObject({ method: 'payments.get-balance', service: 'payments', idempotent: true });
    // One service module per process (TypeOrmModule.forRoot registers the default data source).
    const { PaymentsSeenProjection } = load<{ PaymentsSeenProjection: Function }>('apps/billing/src/projections/payments-seen.projection.ts');
    expect(PaymentsSeenProjection.name).toBe('PaymentsSeenProjection');

    // The generated unit tests pass.
    expect(await runGeneratedSpec(path.join(dir, 'apps/payments/src/events/payment-captured.event.spec.ts'))).toEqual([
      'PaymentCaptured serializes with its type, topic and partitioning key',
      'PaymentCaptured is refused when a class-validator rule fails',
    ]);
    expect(await runGeneratedSpec(path.join(dir, 'apps/payments/src/rpc/get-balance.handler.spec.ts'))).toEqual([
      'GetBalanceHandler answers payments.get-balance',
    ]);
  }, 120_000);
});

/**
 * Runs a generated jest spec inside this test: its `describe`/`it` calls are collected (jest does
 * not allow registering tests from a running one), then each test body runs with jest's `expect`.
 */
async function runGeneratedSpec(file: string): Promise<string[]> {
  const tests: Array<{ name: string; body: () => unknown }> = [];
  const scope: string[] = [];
  const globals = globalThis as unknown as Record<'describe' | 'it', unknown>;
  const saved = { describe: globals.describe, it: globals.it };
  globals.describe = (name: string, body: () => void) => {
    scope.push(name);
    body();
    scope.pop();
  };
  globals.it = (name: string, body: () => unknown) => tests.push({ name: [...scope, name].join(' '), body });
  try {
    require(file);
  } finally {
    Object.assign(globals, saved);
  }
  for (const test of tests) await test.body();
  return tests.map((t) => t.name);
}
