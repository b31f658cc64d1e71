import { DynamicConfigConfigurationException } from './exceptions/dynamic-config-configuration.exception';
import { resolveDynamicConfigOptions } from './dynamic-config-options';

describe('resolveDynamicConfigOptions', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveDynamicConfigOptions({}, 'orders');
    expect(resolved).toMatchObject({
      topic: 'tributary.config',
      partitions: 1,
      service: 'orders',
      readyTimeoutMs: 30_000,
      maxWaitTimeInMs: 100,
      allowWritesToOtherServices: false,
    });
    expect(resolved.instanceId).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9._-]*-\d+-[0-9a-f]{6}$/);
  });

  it('refuses unknown options, naming them and where configs go', () => {
    expect(() => resolveDynamicConfigOptions({ configs: [] } as never, 'orders')).toThrow(DynamicConfigConfigurationException);
    expect(() => resolveDynamicConfigOptions({ configs: [] } as never, 'orders')).toThrow(/`configs`.*forRootAsync/);
  });

  it('refuses bad names and numbers', () => {
    expect(() => resolveDynamicConfigOptions({ topic: 'a b' }, 'orders')).toThrow(/`topic`/);
    expect(() => resolveDynamicConfigOptions({ readyTimeoutMs: 0 }, 'orders')).toThrow(/`readyTimeoutMs` must be a positive integer/);
    expect(() => resolveDynamicConfigOptions({ allowWritesToOtherServices: 'yes' as never }, 'orders')).toThrow(/true or false/);
  });
});
