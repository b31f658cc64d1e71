import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KafkaClient } from '@tributary/kafka';
import {
  InjectRpcClient,
  KafkaRpcServer,
  RpcModule,
  RpcClientClosedException,
  RpcDeadlineExceededException,
  RpcRemoteException,
  RpcUnknownMethodException,
  RpcValidationException,
  rpcClientToken,
  type RpcClient,
} from '@tributary/rpc';
import { testBrokers, uniqueName } from '@tributary/testing';
import { BrokenResponse, inventoryApp, LooseResponse, NotServed, ReserveStock, Sleep } from './fixtures/inventory';

jest.setTimeout(60_000);

@Injectable()
class StockChecker {
  constructor(@InjectRpcClient('inventory') readonly inventory: RpcClient) {}
}

/** A feature module with its own client, registered next to a root RpcModule that declares none. */
@Module({ imports: [RpcModule.registerClients(['inventory'])], providers: [StockChecker], exports: [StockChecker] })
class StockModule {}

describe('RPC over Kafka', () => {
  const topicPrefix = uniqueName('rpc');
  let server: INestApplicationContext;
  let caller: INestApplicationContext;
  let inventory: RpcClient;

  beforeAll(async () => {
    [server, caller] = await Promise.all([
      NestFactory.createApplicationContext(inventoryApp({ brokers: testBrokers(), topicPrefix, serve: true }), { logger: ['error'] }),
      NestFactory.createApplicationContext(inventoryApp({ brokers: testBrokers(), topicPrefix, clients: ['inventory'] }), { logger: ['error'] }),
    ]);
    await Promise.all([server.init(), caller.init()]);
    await server.get(KafkaRpcServer).ready();
    inventory = caller.get<RpcClient>(rpcClientToken('inventory'));
  });

  afterAll(async () => {
    await caller?.close();
    await server?.close();
  });

  it('returns the typed, validated result', async () => {
    const result = await inventory.call(ReserveStock, { sku: 'A-1', quantity: 3 }, { timeout: 10_000 });
    expect(result).toEqual({ reservationId: 'A-1', remaining: 97, servedBy: 'in-process' });
    expect(result.constructor.name).toBe('ReserveResult');
  });

  it('rejects an invalid request on the caller before sending it', async () => {
    const error = await inventory.call(ReserveStock, { sku: '', quantity: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcValidationException);
    expect(error).toMatchObject({ side: 'client', direction: 'request', code: 'VALIDATION_FAILED' });
    expect((error as RpcValidationException).violations.map((v) => v.property).sort()).toEqual(['quantity', 'sku']);
  });

  it('rejects an invalid request on the server (a caller without the contract)', async () => {
    const error = await inventory.call('inventory.reserve', { sku: 'A-1', quantity: 'many' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcValidationException);
    expect(error).toMatchObject({ side: 'server', direction: 'request' });
    expect((error as RpcValidationException).violations.map((v) => v.property)).toEqual(['quantity']);
  });

  it('checks responses on the server and on the caller', async () => {
    await expect(inventory.call(BrokenResponse, {})).rejects.toMatchObject({ side: 'server', direction: 'response', code: 'VALIDATION_FAILED' });
    const error = await inventory.call(LooseResponse, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcValidationException);
    expect(error).toMatchObject({ side: 'client', direction: 'response' });
  });

  it('returns the handler\'s typed errors', async () => {
    const error = await inventory.call(ReserveStock, { sku: 'OUT', quantity: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcRemoteException);
    expect(error).toMatchObject({ code: 'OUT_OF_STOCK', details: { sku: 'OUT' }, service: 'inventory', method: 'inventory.reserve' });
  });

  it('reports an unknown method', async () => {
    await expect(inventory.call(NotServed, {})).rejects.toBeInstanceOf(RpcUnknownMethodException);
  });

  it('times out cleanly when the handler is slower than the deadline', async () => {
    const error = await inventory.call(Sleep, { ms: 2000 }, { timeout: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcDeadlineExceededException);
    expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED', timeoutMs: 300 });
  });

  it('applies guards, pipes, interceptors and exception filters to handlers', async () => {
    const headers = { 'x-api-key': 'secret' };
    await expect(inventory.call('inventory.guarded', { n: '41' }, { headers })).resolves.toEqual({ intercepted: true, value: 42 });
    await expect(inventory.call('inventory.guarded', { n: '41' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const piped = await inventory.call('inventory.guarded', { n: 'x' }, { headers }).catch((e: unknown) => e);
    expect(piped).toBeInstanceOf(RpcValidationException);
    expect((piped as Error).message).toMatch(/numeric string is expected/);
    await expect(inventory.call('inventory.guarded', { n: '500' }, { headers })).rejects.toMatchObject({
      code: 'OUT_OF_RANGE',
      details: { filtered: true },
    });
  });

  it('rejects pending calls when the caller shuts down, and deletes its reply topic', async () => {
    @Module({ imports: [inventoryApp({ brokers: testBrokers(), topicPrefix }), StockModule] })
    class CallerWithFeatureModule {}
    const other = await NestFactory.createApplicationContext(CallerWithFeatureModule, { logger: ['error'] });
    await other.init();
    const client = other.get(StockChecker).inventory;
    await client.call(Sleep, { ms: 0 }, { timeout: 10_000 });
    const replyTopic = `${topicPrefix}.replies.orders.`;
    const admin = await server.get(KafkaClient).admin.client();
    expect((await admin.listTopics()).filter((t) => t.startsWith(replyTopic))).toHaveLength(2);

    const pending = client.call(Sleep, { ms: 3000 }, { timeout: 30_000 }).catch((e: unknown) => e);
    await other.close();
    expect(await pending).toBeInstanceOf(RpcClientClosedException);
    await expect(client.call(Sleep, { ms: 0 })).rejects.toBeInstanceOf(RpcClientClosedException);
    expect((await admin.listTopics()).filter((t) => t.startsWith(replyTopic))).toHaveLength(1);
  });
});
