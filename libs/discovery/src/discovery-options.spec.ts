import { resolveDiscoveryOptions } from './discovery-options';
import { DiscoveryConfigurationException } from './exceptions/discovery-configuration.exception';

describe('resolveDiscoveryOptions', () => {
  it('prefers options, then @TributaryService, then the Kafka service name', () => {
    expect(resolveDiscoveryOptions({}, undefined, 'kafka-name')).toMatchObject({ service: 'kafka-name', version: '0.0.0' });
    expect(resolveDiscoveryOptions({}, { name: 'decorated', version: '2.0.0' }, 'kafka-name')).toMatchObject({
      service: 'decorated',
      version: '2.0.0',
    });
    expect(resolveDiscoveryOptions({ service: 'opt' }, { name: 'decorated' }, 'k')).toMatchObject({ service: 'opt' });
  });

  it('defaults the TTL to three heartbeats and rejects a TTL that is not longer than the heartbeat', () => {
    expect(resolveDiscoveryOptions({ heartbeatIntervalMs: 1000 }, undefined, 's').ttlMs).toBe(3000);
    expect(() => resolveDiscoveryOptions({ heartbeatIntervalMs: 1000, ttlMs: 1000 }, undefined, 's')).toThrow(/must be longer/);
  });

  it('names unknown options and bad values', () => {
    expect(() => resolveDiscoveryOptions({ ttl: 5 } as never, undefined, 's')).toThrow(DiscoveryConfigurationException);
    expect(() => resolveDiscoveryOptions({ service: 'bad name' }, undefined, 's')).toThrow(/service name "bad name"/);
    expect(() => resolveDiscoveryOptions({ endpoints: [{ transport: 'tcp', host: 'h', port: 0 }] }, undefined, 's')).toThrow(/endpoint/);
  });
});
