import { ProjectionsConfigurationException } from './exceptions/projections-configuration.exception';
import { ProjectionFailurePolicy, UnknownEventPolicy } from './interfaces/projection-policies.enum';
import { resolveProjectionOptions, resolveProjectionsOptions } from './projections-options.validator';

describe('resolveProjectionsOptions', () => {
  it('applies the defaults', () => {
    const o = resolveProjectionsOptions({}, 'orders');
    expect(o).toMatchObject({
      checkpointTable: 'tributary_projection_checkpoints',
      inboxTable: 'tributary_projection_inbox',
      groupIdPrefix: 'orders.projection.',
      failurePolicy: ProjectionFailurePolicy.DeadLetter,
      unknownEventPolicy: UnknownEventPolicy.Ignore,
      maxAttempts: 3,
      createTables: true,
      autoStart: true,
    });
    expect(o.deadLetterTopic('orders.events')).toBe('orders.events.dlq');
    expect(o.metricsRefreshMs).toBe(5000);
    expect(o.slowHandlerThresholdMs).toBe(1000);
  });

  it('takes the slow-handler threshold from the Kafka module unless set', () => {
    expect(resolveProjectionsOptions({}, 'svc', 250).slowHandlerThresholdMs).toBe(250);
    expect(resolveProjectionsOptions({ slowHandlerThresholdMs: 0, metricsRefreshMs: 0 }, 'svc', 250)).toMatchObject({
      slowHandlerThresholdMs: 0,
      metricsRefreshMs: 0,
    });
    const defaults = resolveProjectionsOptions({ slowHandlerThresholdMs: 40 }, 'svc');
    expect(resolveProjectionOptions({ name: 'a' }, 'A', defaults).slowHandlerThresholdMs).toBe(40);
    expect(resolveProjectionOptions({ name: 'a', slowHandlerThresholdMs: 5 }, 'A', defaults).slowHandlerThresholdMs).toBe(5);
  });

  it.each([
    [{ tables: { inbox: 'inbox; DROP TABLE x' } }, /tables\.inbox/],
    [{ tables: { checkpoints: '1abc' } }, /tables\.checkpoints/],
    [{ tables: { checkpoints: 'same', inbox: 'same' } }, /use two tables/],
    [{ failurePolicy: 'explode' }, /failurePolicy must be one of "dead-letter", "stop"/],
    [{ maxAttempts: 0 }, /maxAttempts must be an integer >= 1/],
    [{ deadLetterTopic: 'bad topic' }, /deadLetterTopic must be a topic name/],
    [{ consumer: { partitionsConsumedConcurrently: 1.5 } }, /consumer\.partitionsConsumedConcurrently/],
    [{ metricsRefreshMs: -1 }, /metricsRefreshMs must be an integer >= 0/],
    [{ slowHandlerThresholdMs: 'fast' }, /slowHandlerThresholdMs must be an integer >= 0/],
    [{ retryBackoffMaxMs: 1.5 }, /retryBackoffMaxMs must be an integer >= 0/],
    [{ retryBackoffMs: 200, retryBackoffMaxMs: 100 }, /retryBackoffMaxMs \(100\) must be >= retryBackoffMs \(200\)/],
    [{ inbox: { retentionMs: -1 } }, /inbox\.retentionMs must be an integer >= 0/],
    [{ inbox: { sweepIntervalMs: 1 } }, /inbox\.sweepIntervalMs must be an integer >= 10/],
    [{ inbox: { sweepBatchSize: 0 } }, /inbox\.sweepBatchSize must be an integer >= 1/],
    [{ inbox: 'forever' }, /inbox must be an object/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveProjectionsOptions(options as never, 'svc')).toThrow(ProjectionsConfigurationException);
    expect(() => resolveProjectionsOptions(options as never, 'svc')).toThrow(message);
  });

  it('bounds the retry backoff and keeps inbox ids 7 days by default', () => {
    expect(resolveProjectionsOptions({}, 'svc')).toMatchObject({
      retryBackoffMs: 50,
      retryBackoffMaxMs: 5000,
      inbox: { retentionMs: 7 * 24 * 3600 * 1000, sweepIntervalMs: 60_000, sweepBatchSize: 5000 },
    });
    // A pause set above the default bound raises the bound with it rather than failing.
    expect(resolveProjectionsOptions({ retryBackoffMs: 8000 }, 'svc').retryBackoffMaxMs).toBe(8000);
    expect(resolveProjectionsOptions({ inbox: { retentionMs: 0 } }, 'svc').inbox.retentionMs).toBe(0);
  });

  it('accepts schema-qualified table names and a dead-letter function', () => {
    const o = resolveProjectionsOptions({ tables: { inbox: 'read.inbox' }, deadLetterTopic: (t) => `dlq.${t}` }, 'svc');
    expect(o.inboxTable).toBe('read.inbox');
    expect(o.deadLetterTopic('x')).toBe('dlq.x');
  });
});

describe('resolveProjectionOptions', () => {
  const defaults = resolveProjectionsOptions({ maxAttempts: 5 }, 'svc');

  it('inherits module defaults and builds the group id', () => {
    expect(resolveProjectionOptions({ name: 'customers' }, 'Customers', defaults)).toMatchObject({
      name: 'customers',
      groupId: 'svc.projection.customers',
      maxAttempts: 5,
    });
    expect(resolveProjectionOptions({ name: 'c', deadLetterTopic: 'c.dead', maxAttempts: 1 }, 'C', defaults).deadLetterTopic('t')).toBe('c.dead');
  });

  it('names the class and the option in errors', () => {
    expect(() => resolveProjectionOptions({ name: 'has space' }, 'Customers', defaults)).toThrow(/@Projection on Customers: name/);
    expect(() => resolveProjectionOptions({ name: 'ok', topics: ['a b'] }, 'Customers', defaults)).toThrow(/"a b" is not a topic name/);
  });
});
