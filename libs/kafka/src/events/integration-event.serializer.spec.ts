import { IsInt, IsPositive, IsString } from 'class-validator';
import { InvalidIntegrationEventException } from '../exceptions/invalid-integration-event.exception';
import { createEventEnvelope } from './event-envelope.factory';
import { findIntegrationEvent, getIntegrationEventMetadata, IntegrationEvent } from './integration-event.decorator';
import { materializeIntegrationEvent, serializeIntegrationEvent } from './integration-event.serializer';

@IntegrationEvent({ type: 'test.stock-reserved', topic: 'test.stock', key: 'sku' })
class StockReserved {
  @IsString() sku!: string;
  @IsInt() @IsPositive() quantity!: number;
  extra?: unknown;
  constructor(sku: string, quantity: number) {
    this.sku = sku;
    this.quantity = quantity;
  }
}

@IntegrationEvent({ type: 'test.stock-reserved', topic: 'test.stock', version: 2, key: (e: StockReservedV2) => `${e.warehouse}/${e.sku}` })
class StockReservedV2 {
  @IsString() sku!: string;
  @IsString() warehouse!: string;
}

describe('integration events', () => {
  it('stores metadata with defaults and finds the newest version by type', () => {
    expect(getIntegrationEventMetadata(StockReserved)).toMatchObject({ type: 'test.stock-reserved', version: 1, topic: 'test.stock' });
    expect(findIntegrationEvent('test.stock-reserved')?.target).toBe(StockReservedV2);
    expect(findIntegrationEvent('test.stock-reserved', 1)?.target).toBe(StockReserved);
  });

  it('serialises a valid event with its key', () => {
    const out = serializeIntegrationEvent(new StockReserved('sku-1', 3));
    expect(out.key).toBe('sku-1');
    expect(out.payload).toEqual({ sku: 'sku-1', quantity: 3 });
    const v2 = Object.assign(new StockReservedV2(), { sku: 'a', warehouse: 'w1' });
    expect(serializeIntegrationEvent(v2).key).toBe('w1/a');
  });

  it('lists every failed rule', () => {
    expect.assertions(3);
    try {
      serializeIntegrationEvent(new StockReserved('', -1 as number));
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidIntegrationEventException);
      expect((e as InvalidIntegrationEventException).violations.map((v) => v.property)).toEqual(['quantity']);
      expect((e as Error).message).toMatch(/quantity must be a positive number/);
    }
  });

  it.each([
    ['a plain object', { sku: 'a', quantity: 1 }, /not an integration event/],
    ['null', null, /got null/],
    ['a BigInt payload', Object.assign(new StockReserved('a', 1), { extra: BigInt(1) }), /cannot be serialised to JSON/],
  ])('refuses %s', (_, event, message) => {
    expect(() => serializeIntegrationEvent(event)).toThrow(message);
  });

  it('refuses a cyclic payload', () => {
    const event = new StockReserved('a', 1);
    event.extra = { self: event };
    expect(() => serializeIntegrationEvent(event)).toThrow(/cannot be serialised to JSON/);
  });

  it('materialises and validates a decoded payload', () => {
    const event = materializeIntegrationEvent(StockReserved, { sku: 'x', quantity: 2 });
    expect(event).toBeInstanceOf(StockReserved);
    expect(() => materializeIntegrationEvent(StockReserved, { sku: 'x', quantity: 'two' })).toThrow(InvalidIntegrationEventException);
    expect(() => materializeIntegrationEvent(StockReserved, 'text')).toThrow(/must be a JSON object/);
  });

  it('rejects a bad decorator use at declaration time', () => {
    expect(() => IntegrationEvent({ type: 'bad type', topic: 't' })(class X {})).toThrow(/`type` must be/);
    expect(() => IntegrationEvent({ type: 'ok', topic: 'bad topic!' })(class X {})).toThrow(/`topic` must be/);
  });
});

describe('createEventEnvelope', () => {
  it('wraps a valid event with its type, version, key and topic', () => {
    const { topic, envelope } = createEventEnvelope(new StockReserved('sku-9', 1), { source: 'stock', traceparent: 'tp' });
    expect(topic).toBe('test.stock');
    expect(envelope).toMatchObject({ type: 'test.stock-reserved', version: 1, key: 'sku-9', source: 'stock', traceparent: 'tp', payload: { sku: 'sku-9', quantity: 1 } });
    expect(envelope.eventId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
