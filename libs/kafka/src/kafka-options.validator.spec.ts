import { KafkaConfigurationException } from './exceptions/kafka-configuration.exception';
import { parseBrokers, resolveKafkaOptions } from './kafka-options.validator';

describe('resolveKafkaOptions', () => {
  it('applies defaults and takes a comma-separated broker list', () => {
    const options = resolveKafkaOptions({ brokers: '127.0.0.1:9092, localhost:9093', serviceName: 'orders' });
    expect(options.brokers).toEqual(['127.0.0.1:9092', 'localhost:9093']);
    expect(options.clientId).toBe('orders');
    expect(options.connectTimeoutMs).toBe(15000);
    expect(options.connectOnBootstrap).toBe(true);
  });

  it.each([
    [{ brokers: [], serviceName: 'a' }, /brokers` is empty/],
    [{ brokers: '', serviceName: 'a' }, /brokers` is empty/],
    [{ brokers: 'localhost', serviceName: 'a' }, /"localhost" is not "host:port"/],
    [{ brokers: ['127.0.0.1:99999'], serviceName: 'a' }, /port from 1 to 65535/],
    [{ brokers: ['127.0.0.1:9092'], serviceName: '' }, /serviceName/],
    [{ brokers: ['127.0.0.1:9092'], serviceName: 'a', brokerz: 1 }, /unknown option\(s\) `brokerz`/],
    [{ brokers: ['127.0.0.1:9092'], serviceName: 'a', connectTimeoutMs: -1 }, /connectTimeoutMs` must be a positive integer/],
    [{ brokers: ['127.0.0.1:9092'], serviceName: 'a', logLevel: 'loud' }, /logLevel/],
  ])('rejects %j with a message that says what to fix', (options, message) => {
    expect(() => resolveKafkaOptions(options as never)).toThrow(KafkaConfigurationException);
    expect(() => resolveKafkaOptions(options as never)).toThrow(message);
  });

  it('accepts IPv6 brokers in brackets', () => {
    expect(parseBrokers('[::1]:9092')).toEqual(['[::1]:9092']);
  });
});
