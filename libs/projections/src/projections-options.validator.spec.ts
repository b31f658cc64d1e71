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
  ])('rejects %j', (options, message) => {
    expect(() => resolveProjectionsOptions(options as never, 'svc')).toThrow(ProjectionsConfigurationException);
    expect(() => resolveProjectionsOptions(options as never, 'svc')).toThrow(message);
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
