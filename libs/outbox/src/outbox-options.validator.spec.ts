import { InvalidOutboxTableNameException } from './exceptions/invalid-outbox-table-name.exception';
import { OutboxConfigurationException } from './exceptions/outbox-configuration.exception';
import { resolveOutboxOptions } from './outbox-options.validator';

describe('resolveOutboxOptions', () => {
  it('fills in the documented defaults', () => {
    const o = resolveOutboxOptions({});
    expect(o).toMatchObject({ tableName: 'tributary_outbox', lanes: 64, ensureSchema: false, events: [] });
    expect(o.relay).toMatchObject({
      enabled: true,
      batchSize: 500,
      maxBatchBytes: 900_000,
      concurrency: 4,
      lanesPerBatch: 16,
      leaseMs: 10_000,
      pollIntervalMs: undefined,
      listen: true,
      preparedStatements: true,
      maxAttempts: 10,
      deadRowPolicy: 'block',
      retentionMs: 86_400_000,
      retentionIntervalMs: 60_000,
      retentionBatchSize: 5000,
      retryBackoff: { initialMs: 1000, maxMs: 60_000, multiplier: 2, jitter: 0.2 },
      outageBackoff: { initialMs: 250, maxMs: 15_000, multiplier: 2, jitter: 0.2 },
    });
    expect(o.relay.instanceId).toMatch(/-\d+-[0-9a-f]{4}$/);
    expect(o.health).toEqual({ maxPending: 100_000, maxOldestPendingAgeMs: 300_000, maxDeadRows: 1000 });
    expect(o.topics).toEqual({ create: true, numPartitions: 6, replicationFactor: -1 });
    expect(o.metricsRefreshMs).toBe(5000);
    expect(o.relay.slowBatchThresholdMs).toBeUndefined();
  });

  it('checks the observability options', () => {
    const o = resolveOutboxOptions({ metricsRefreshMs: 0, relay: { slowBatchThresholdMs: 250 } });
    expect(o.metricsRefreshMs).toBe(0);
    expect(o.relay.slowBatchThresholdMs).toBe(250);
    expect(() => resolveOutboxOptions({ metricsRefreshMs: -1 })).toThrow(/metricsRefreshMs/);
    expect(() => resolveOutboxOptions({ relay: { slowBatchThresholdMs: 1.5 } })).toThrow(/relay.slowBatchThresholdMs/);
  });

  it('takes preparedStatements as a boolean only', () => {
    expect(resolveOutboxOptions({ relay: { preparedStatements: false } }).relay.preparedStatements).toBe(false);
    expect(() => resolveOutboxOptions({ relay: { preparedStatements: 'no' as never } })).toThrow(/`relay.preparedStatements` must be true or false, got "no"/);
  });

  it('checks the topics options', () => {
    expect(resolveOutboxOptions({ topics: { create: false, numPartitions: 12, replicationFactor: 3 } }).topics).toEqual({
      create: false,
      numPartitions: 12,
      replicationFactor: 3,
    });
    expect(() => resolveOutboxOptions({ topics: { numPartitions: 0 } })).toThrow(/topics.numPartitions/);
    expect(() => resolveOutboxOptions({ topics: 'many' as never })).toThrow(OutboxConfigurationException);
  });

  it('keeps given values', () => {
    const o = resolveOutboxOptions({ tableName: 'x_outbox', lanes: 8, relay: { deadRowPolicy: 'skip', retentionMs: 0, retryBackoff: { initialMs: 5000 } } });
    expect(o.tableName).toBe('x_outbox');
    expect(o.relay.deadRowPolicy).toBe('skip');
    expect(o.relay.retentionMs).toBe(0);
    expect(o.relay.retryBackoff).toEqual({ initialMs: 5000, maxMs: 60_000, multiplier: 2, jitter: 0.2 });
  });

  it('refuses a bad table name with InvalidOutboxTableNameException', () => {
    expect(() => resolveOutboxOptions({ tableName: 'bad-name' })).toThrow(InvalidOutboxTableNameException);
  });

  it.each([
    [{ lanes: 0 }, '`lanes`'],
    [{ lanes: 1.5 }, '`lanes`'],
    [{ relay: { batchSize: 0 } }, '`relay.batchSize`'],
    [{ relay: { concurrency: -1 } }, '`relay.concurrency`'],
    [{ relay: { leaseMs: 500 } }, '`relay.leaseMs`'],
    [{ relay: { deadRowPolicy: 'drop' as never } }, '`relay.deadRowPolicy`'],
    [{ relay: { retentionMs: -1 } }, '`relay.retentionMs`'],
    [{ relay: { retryBackoff: { initialMs: 100, maxMs: 10 } } }, '`relay.retryBackoff.maxMs`'],
    [{ relay: { outageBackoff: { jitter: 2 } } }, '`relay.outageBackoff.jitter`'],
    [{ events: ['nope' as never] }, '`events`'],
    [{ health: { maxPending: -5 } }, '`health.maxPending`'],
  ])('refuses %p naming the option', (options, option) => {
    expect(() => resolveOutboxOptions(options)).toThrow(OutboxConfigurationException);
    expect(() => resolveOutboxOptions(options)).toThrow(option);
  });
});
