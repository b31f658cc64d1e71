import { runAndDiff, seedMonorepo, tributaryRunner } from '../test-support/workspace';

describe('rpc-handler schematic', () => {
  const runner = tributaryRunner();

  it('creates an RPC contract and an @RpcHandler provider registered in the module', async () => {
    const before = await runner.runSchematic('service', { name: 'payments', outbox: false }, await seedMonorepo());
    const { tree, created } = await runAndDiff(runner, 'rpc-handler', { name: 'get-balance', service: 'payments' }, before);
    expect(created).toEqual([
      '/apps/payments/src/rpc/get-balance.contract.ts',
      '/apps/payments/src/rpc/get-balance.handler.spec.ts',
      '/apps/payments/src/rpc/get-balance.handler.ts',
    ]);
    expect(tree.readContent('/apps/payments/src/rpc/get-balance.handler.spec.ts')).toContain(
      "await expect(new GetBalanceHandler().getBalance({ id: 'id-1' }, context)).resolves.toEqual({ id: 'id-1' });",
    );
    const contract = tree.readContent('/apps/payments/src/rpc/get-balance.contract.ts');
    expect(contract).toContain(
      "@RpcContract({ method: 'payments.get-balance', service: 'payments', response: GetBalanceResponse, idempotent: false })",
    );
    expect(contract).toContain('export class GetBalanceRequest extends RpcRequest<GetBalanceResponse> {');
    const handler = tree.readContent('/apps/payments/src/rpc/get-balance.handler.ts');
    expect(handler).toMatch(/@RpcHandler\(GetBalanceRequest\)\s+async getBalance\(request: GetBalanceRequest, context: RpcContext\): Promise<GetBalanceResponse>/);
    const module = tree.readContent('/apps/payments/src/payments.module.ts');
    expect(module).toContain("import { GetBalanceHandler } from './rpc/get-balance.handler';");
    expect(module).toMatch(/providers: \[\s*GetBalanceHandler\s*\]/);
  });

  it('works through the `rpc` alias and -p, and refuses a module without RpcModule', async () => {
    const base = await runner.runSchematic('service', { name: 'payments' }, await seedMonorepo());
    const tree = await runner.runSchematic('rpc', { name: 'Refund', project: 'payments', idempotent: true }, base);
    expect(tree.readContent('/apps/payments/src/rpc/refund.contract.ts')).toContain("method: 'payments.refund'");
    expect(tree.readContent('/apps/payments/src/rpc/refund.contract.ts')).toContain('idempotent: true');
    await expect(runner.runSchematic('rpc-handler', { name: 'refund', project: 'payments' }, tree)).rejects.toThrow(/refund.contract.ts already exists/);
    await expect(runner.runSchematic('rpc-handler', { name: 'refund', service: 'orders' }, base)).rejects.toThrow(
      /orders.module.ts does not import RpcModule/,
    );
  });
});
