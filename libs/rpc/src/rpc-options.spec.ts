import { RpcConfigurationException } from './exceptions/rpc-configuration.exception';
import { resolveRpcOptions } from './rpc-options';

describe('resolveRpcOptions', () => {
  it('applies defaults and normalises clients', () => {
    const resolved = resolveRpcOptions({ clients: ['inventory', { service: 'pricing', transport: 'tcp', timeoutMs: 100 }] }, 'orders');
    expect(resolved).toMatchObject({ service: 'orders', defaultTimeoutMs: 5000, topicPrefix: 'tributary.rpc', requestPartitions: 6, acks: 1 });
    expect(resolved.clients).toEqual([
      { service: 'inventory', transport: 'kafka', timeoutMs: 5000 },
      { service: 'pricing', transport: 'tcp', timeoutMs: 100 },
    ]);
    expect(resolveRpcOptions({ tcp: {} }, 'o').tcp).toEqual({ port: 0, host: '127.0.0.1', advertisedHost: '127.0.0.1' });
  });

  it('says what to fix', () => {
    expect(() => resolveRpcOptions({ timeout: 1 } as never, 'o')).toThrow(RpcConfigurationException);
    expect(() => resolveRpcOptions({ sessionTimeoutMs: 1000 }, 'o')).toThrow(/sessionTimeoutMs/);
    expect(() => resolveRpcOptions({ clients: [{ service: 'a', transport: 'http' as never }] }, 'o')).toThrow(/'kafka' or 'tcp'/);
    expect(() => resolveRpcOptions({ clients: ['bad name'] }, 'o')).toThrow(/client service/);
  });
});

describe('slowHandlerThresholdMs', () => {
  it('defaults to KafkaModule\'s slowOperationThresholdMs and accepts 0 (off)', () => {
    expect(resolveRpcOptions({}, 'o').slowHandlerThresholdMs).toBe(1000);
    expect(resolveRpcOptions({}, 'o', 250).slowHandlerThresholdMs).toBe(250);
    expect(resolveRpcOptions({ slowHandlerThresholdMs: 0 }, 'o', 250).slowHandlerThresholdMs).toBe(0);
    expect(() => resolveRpcOptions({ slowHandlerThresholdMs: -1 }, 'o')).toThrow(/slowHandlerThresholdMs/);
  });
});

describe('acks', () => {
  it('is 1 or -1', () => {
    expect(resolveRpcOptions({ acks: -1 }, 'o').acks).toBe(-1);
    expect(resolveRpcOptions({ acks: 1 }, 'o').acks).toBe(1);
    expect(() => resolveRpcOptions({ acks: 0 as never }, 'o')).toThrow(/`acks` must be 1 .* or -1/);
    expect(() => resolveRpcOptions({ acks: 'all' as never }, 'o')).toThrow(RpcConfigurationException);
  });
});
