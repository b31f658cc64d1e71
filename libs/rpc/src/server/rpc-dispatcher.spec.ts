import type { HandlerExplorer } from '@tributary/discovery';
import { TributaryMetrics } from '@tributary/kafka';
import { Registry } from 'prom-client';
import { RpcObserver } from '../observability/rpc-observer';
import type { RpcSettings } from '../rpc-settings';
import { RpcDispatcher } from './rpc-dispatcher';

describe('RpcDispatcher', () => {
  const registry = new Registry();
  const explorer = { explore: () => [], bind: () => async () => 'never' } as unknown as HandlerExplorer;
  const settings = { value: { service: 'inventory', slowHandlerThresholdMs: 0 } } as RpcSettings;
  const observer = new RpcObserver(new TributaryMetrics({ metrics: { registry, defaultMetrics: false } }), settings);
  const dispatcher = new RpcDispatcher(explorer, settings, observer);
  dispatcher.onModuleInit();
  const request = { method: 'inventory.reserve', payload: {}, correlationId: '1', transport: 'kafka', headers: {} };

  it('drops a request whose deadline has passed (nobody waits for the answer) and counts it', async () => {
    await expect(dispatcher.dispatch({ ...request, deadline: Date.now() - 1 })).resolves.toBeUndefined();
    // The method comes from the wire and is not served: it is not used as a label value.
    expect(await registry.metrics()).toContain('tributary_rpc_server_expired_total{rpc_service="inventory",rpc_method="(unserved)"} 1');
  });

  it('answers UNKNOWN_METHOD for a method it does not serve, and records the outcome', async () => {
    await expect(dispatcher.dispatch({ ...request, deadline: Date.now() + 10_000 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_METHOD' },
    });
    expect(await registry.metrics()).toContain(
      'tributary_rpc_server_duration_seconds_count{rpc_service="inventory",rpc_method="(unserved)",outcome="unknown_method"} 1',
    );
  });

  it('answers an undecodable payload with a server-side validation error', async () => {
    await expect(dispatcher.dispatch({ ...request, undecodable: 'Unexpected token', deadline: Date.now() + 10_000 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', details: { side: 'server', direction: 'request' } },
    });
  });
});
