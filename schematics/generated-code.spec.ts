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

  it('type-checks against @tributary/* with the strict root tsconfig', async () => {
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
        compilerOptions: { noEmit: true, types: ['node'] },
        include: ['apps/**/*.ts'],
        exclude: [],
      }),
    );
    const tsc = require.resolve('typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: REPO_ROOT }).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);
});
