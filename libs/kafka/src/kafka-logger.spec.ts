import { Logger } from '@nestjs/common';
import { logLevel } from 'kafkajs';
import { kafkajsLogLevel, nestLogCreator } from './kafka-logger';

describe('kafkajs log levels', () => {
  // Entries as kafkajs 2.2.4 writes them on a fresh broker, a new topic or a rebalance.
  const transient = [
    ['Connection', 'Response FindCoordinator(key: 10, version: 2)', "The coordinator is loading and hence can't process requests for this group"],
    ['Connection', 'Response FindCoordinator(key: 10, version: 2)', 'The group coordinator is not available'],
    ['Connection', 'Response OffsetCommit(key: 8, version: 5)', 'This is not the correct coordinator for this group'],
    ['Connection', 'Response Produce(key: 0, version: 7)', 'This server does not host this topic-partition'],
    [
      'Connection',
      'Response Metadata(key: 3, version: 6)',
      'There is no leader for this topic-partition as we are in the middle of a leadership election',
    ],
    ['Connection', 'Response Produce(key: 0, version: 7)', 'This server is not the leader for that topic-partition'],
    ['Connection', 'Response Heartbeat(key: 12, version: 3)', 'The group is rebalancing, so a rejoin is needed'],
    ['Connection', 'Response OffsetCommit(key: 8, version: 5)', 'Specified group generation id is not valid'],
  ] as const;

  it.each(transient)('lowers a per-request %s "%s" (%s) to debug: the request is retried', (namespace, message, error) => {
    expect(kafkajsLogLevel({ level: logLevel.ERROR, namespace, message, error })).toBe(logLevel.DEBUG);
  });

  it.each([
    ['Producer', 'Failed to send messages: This server does not host this topic-partition'],
    ['Producer', 'There is no leader for this topic-partition as we are in the middle of a leadership election'],
    ['Consumer', 'The coordinator is not aware of this member, re-joining the group'],
    ['BrokerPool', "The coordinator is loading and hence can't process requests for this group"],
  ])('lowers a retried %s "%s" to warn', (namespace, message) => {
    expect(kafkajsLogLevel({ level: logLevel.ERROR, namespace, message })).toBe(logLevel.WARN);
  });

  it.each([
    ['Connection', 'Response Produce(key: 0, version: 7)', 'The request included a message larger than the max message size the server will accept'],
    ['Connection', 'Response SaslAuthenticate(key: 36, version: 1)', 'Request is not valid given the current SASL state'],
    ['Producer', 'Failed to send messages: Messages are rejected since there are fewer in-sync replicas than required', undefined],
    ['Consumer', 'Crash: KafkaJSNumberOfRetriesExceeded: This server does not host this topic-partition', undefined],
    ['BrokerPool', 'Failed to connect to seed broker, trying another broker from the list: Connection timeout', undefined],
  ])('keeps a real error at error: %s "%s"', (namespace, message, error) => {
    expect(kafkajsLogLevel({ level: logLevel.ERROR, namespace, message, error })).toBe(
      // A consumer crash names the transient cause but kafkajs gave up on it: that is an error.
      logLevel.ERROR,
    );
  });

  it('never raises a level', () => {
    const message = 'The group is rebalancing, re-joining';
    expect(kafkajsLogLevel({ level: logLevel.INFO, namespace: 'Runner', message })).toBe(logLevel.INFO);
    expect(kafkajsLogLevel({ level: logLevel.DEBUG, namespace: 'Connection', message: 'Response Produce', error: 'x' })).toBe(logLevel.DEBUG);
    expect(kafkajsLogLevel({ level: logLevel.WARN, namespace: 'Runner', message })).toBe(logLevel.WARN);
  });

  describe('through Nest', () => {
    let spies: Record<'error' | 'warn' | 'log' | 'debug', jest.SpyInstance>;
    beforeEach(() => {
      spies = {
        error: jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined),
        warn: jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined),
        log: jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined),
        debug: jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined),
      };
    });
    afterEach(() => jest.restoreAllMocks());

    const entry = (level: logLevel, namespace: string, message: string, extra: object = {}) => ({
      namespace,
      level,
      label: logLevel[level],
      log: { timestamp: '2026-01-01T00:00:00.000Z', logger: 'kafkajs', message, ...extra },
    });

    it('logs a coordinator still loading at debug when debug is on, and not at all at the default warn', () => {
      const coordinatorLoading = entry(logLevel.ERROR, 'Connection', 'Response FindCoordinator(key: 10, version: 2)', {
        error: "The coordinator is loading and hence can't process requests for this group",
      });
      nestLogCreator(logLevel.DEBUG)(coordinatorLoading);
      expect(spies.debug).toHaveBeenCalledWith(expect.stringContaining('[Connection] Response FindCoordinator'));
      nestLogCreator(logLevel.WARN)(coordinatorLoading);
      expect(spies.debug).toHaveBeenCalledTimes(1);
      expect(spies.error).not.toHaveBeenCalled();
      expect(spies.warn).not.toHaveBeenCalled();
    });

    it('logs a retried send to a partition the broker does not host yet at warn, and real errors at error', () => {
      const log = nestLogCreator(logLevel.WARN);
      log(entry(logLevel.ERROR, 'Producer', 'Failed to send messages: This server does not host this topic-partition', { retryCount: 0 }));
      expect(spies.warn).toHaveBeenCalledWith(expect.stringContaining('does not host this topic-partition'));
      log(entry(logLevel.ERROR, 'Connection', 'Response Produce(key: 0, version: 7)', { error: 'The request included a message larger than the max message size the server will accept' }));
      expect(spies.error).toHaveBeenCalledWith(expect.stringContaining('larger than the max message size'));
      expect(spies.warn).toHaveBeenCalledTimes(1);
      expect(spies.error).toHaveBeenCalledTimes(1);
    });

    it('drops a transient entry lowered below the configured level (error only)', () => {
      nestLogCreator(logLevel.ERROR)(entry(logLevel.ERROR, 'Producer', 'Failed to send messages: This server does not host this topic-partition'));
      expect(spies.warn).not.toHaveBeenCalled();
      expect(spies.error).not.toHaveBeenCalled();
    });
  });
});
