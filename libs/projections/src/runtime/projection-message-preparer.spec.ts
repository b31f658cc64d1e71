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

function preparer(): ProjectionMessagePreparer {
  const defaults = resolveProjectionsOptions({}, 'svc');
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

describe('ProjectionMessagePreparer: validation of consumed events', () => {
  it('materialises a valid event as its class', () => {
    const item = preparer().prepare(message('orders', 2, { quantity: 3 }));
    expect(item.failure).toBeUndefined();
    expect(item.event).toBeInstanceOf(StockCounted);
    expect((item.event as StockCounted).quantity).toBe(3);
  });

  it('fails an invalid event as invalid, naming the property', () => {
    const item = preparer().prepare(message('orders', 2, { quantity: -1 }));
    expect(item.failure?.reason).toBe('invalid');
    expect(item.failure?.error).toContain('quantity');
  });

  it('validates the upcast result', () => {
    expect(preparer().prepare(message('orders', 1, { qty: 4 })).event).toEqual(Object.assign(new StockCounted(), { quantity: 4 }));
    expect(preparer().prepare(message('orders', 1, { qty: -5 })).failure?.reason).toBe('invalid');
  });
});
