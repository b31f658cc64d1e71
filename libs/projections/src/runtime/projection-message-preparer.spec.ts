import 'reflect-metadata';
import { encodeEnvelope, IntegrationEvent } from '@tributary/kafka';
import { IsInt, Min } from 'class-validator';
import type { KafkaMessage } from 'kafkajs';
import { UnknownEventPolicy } from '../interfaces/projection-policies.enum';
import { resolveProjectionOptions, resolveProjectionsOptions } from '../projections-options.validator';
import { UpcasterChain } from '../upcasting/upcaster-chain';
import type { ProjectionDefinition } from './projection-definition';
import { ProjectionMessagePreparer } from './projection-message-preparer';

@IntegrationEvent({ type: 'test.stock-counted', topic: 'stock', version: 2 })
class StockCounted {
  @IsInt() @Min(0) quantity!: number;
}

function preparer(trustedSources: string[]): ProjectionMessagePreparer {
  const defaults = resolveProjectionsOptions({ trustedSources }, 'svc');
  const definition: ProjectionDefinition = {
    options: resolveProjectionOptions({ name: 'stock', unknownEventPolicy: UnknownEventPolicy.Ignore }, 'Stock', defaults),
    className: 'Stock',
    instance: {},
    topics: ['stock'],
    tables: [],
    routes: new Map([['test.stock-counted', { type: 'test.stock-counted', methodName: 'counted', handlerName: 'Stock.counted', batch: false, eventClass: StockCounted, version: 2 }]]),
    upcasters: new UpcasterChain([{ type: 'test.stock-counted', fromVersion: 1, upcast: (p) => ({ quantity: p.qty }), source: 'test' }]),
  };
  return new ProjectionMessagePreparer(definition);
}

function message(source: string, version: number, payload: Record<string, unknown>): KafkaMessage {
  const m = encodeEnvelope({
    eventId: `e-${source}-${version}`,
    type: 'test.stock-counted',
    version,
    key: null,
    occurredAt: new Date(0).toISOString(),
    source,
    contentType: 'application/json',
    headers: {},
    payload,
  });
  return { key: null, value: m.value as Buffer, headers: m.headers, offset: '0', timestamp: '0', attributes: 0, size: 0 } as KafkaMessage;
}

describe('ProjectionMessagePreparer: validation and trusted sources', () => {
  it('validates every event by default: an invalid one fails as invalid', () => {
    const item = preparer([]).prepare(message('orders', 2, { quantity: -1 }));
    expect(item.failure?.reason).toBe('invalid');
    expect(item.failure?.error).toContain('quantity');
  });

  it('skips validation for a trusted source (its outbox validated the event)', () => {
    const item = preparer(['orders']).prepare(message('orders', 2, { quantity: -1 }));
    expect(item.failure).toBeUndefined();
    expect(item.event).toBeInstanceOf(StockCounted);
    expect((item.event as StockCounted).quantity).toBe(-1);
  });

  it('still validates a source that is not in the list', () => {
    expect(preparer(['orders']).prepare(message('billing', 2, { quantity: -1 })).failure?.reason).toBe('invalid');
  });

  it('still validates an upcast event from a trusted source (the publisher never saw the upcast result)', () => {
    const item = preparer(['orders']).prepare(message('orders', 1, { qty: -5 }));
    expect(item.failure?.reason).toBe('invalid');
  });

  it('refuses a trustedSources option that is not a list of names', () => {
    expect(() => resolveProjectionsOptions({ trustedSources: 'orders' as unknown as string[] }, 'svc')).toThrow(/trustedSources must be an array of service names/);
    expect(() => resolveProjectionsOptions({ trustedSources: [''] }, 'svc')).toThrow(/trustedSources/);
  });

  it('lets a projection set its own list', () => {
    const defaults = resolveProjectionsOptions({ trustedSources: ['orders'] }, 'svc');
    expect([...resolveProjectionOptions({ name: 'a' }, 'A', defaults).trustedSources]).toEqual(['orders']);
    expect([...resolveProjectionOptions({ name: 'a', trustedSources: [] }, 'A', defaults).trustedSources]).toEqual([]);
  });
});
