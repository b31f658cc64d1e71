import type { HandlerExplorer } from '@tributary/discovery';
import type { RpcSettings } from '../rpc-settings';
import { RpcDispatcher } from './rpc-dispatcher';

describe('RpcDispatcher', () => {
  const explorer = { explore: () => [], bind: () => async () => 'never' } as unknown as HandlerExplorer;
  const settings = { value: { service: 'inventory' } } as RpcSettings;
  const dispatcher = new RpcDispatcher(explorer, settings);
  dispatcher.onModuleInit();
  const request = { method: 'inventory.reserve', payload: {}, correlationId: '1', transport: 'kafka', headers: {} };

  it('drops a request whose deadline has passed (nobody waits for the answer)', async () => {
    await expect(dispatcher.dispatch({ ...request, deadline: Date.now() - 1 })).resolves.toBeUndefined();
  });

  it('answers UNKNOWN_METHOD for a method it does not serve', async () => {
    await expect(dispatcher.dispatch({ ...request, deadline: Date.now() + 10_000 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_METHOD' },
    });
  });
});
