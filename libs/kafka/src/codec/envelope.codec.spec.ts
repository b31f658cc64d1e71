import { MessageDecodeException } from '../exceptions/message-decode.exception';
import { TributaryHeaders } from '../kafka.constants';
import { decodeEnvelope, encodeEnvelope } from './envelope.codec';
import type { EventEnvelope } from './event-envelope.interface';
import { createTraceparent, isValidTraceparent } from './traceparent';

const envelope: EventEnvelope<{ orderId: string }> = {
  eventId: '0b6c3f57-5f34-4a5b-9d3a-1f2a4b6c8d90',
  type: 'orders.order-placed',
  version: 2,
  key: 'order-1',
  occurredAt: '2026-11-26T08:00:00.000Z',
  source: 'orders',
  contentType: 'application/json',
  traceparent: createTraceparent(),
  headers: { tenant: 'acme' },
  payload: { orderId: 'order-1' },
};

function asConsumed(message: ReturnType<typeof encodeEnvelope>) {
  const headers: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = Buffer.from(String(v));
  return { key: Buffer.from(String(message.key)), value: message.value as Buffer, headers };
}

describe('envelope codec', () => {
  it('round-trips every field', () => {
    expect(decodeEnvelope(asConsumed(encodeEnvelope(envelope)))).toEqual(envelope);
  });

  it.each([
    ['missing-header', (m: ReturnType<typeof asConsumed>) => delete m.headers[TributaryHeaders.EVENT_ID]],
    ['invalid-header', (m: ReturnType<typeof asConsumed>) => (m.headers[TributaryHeaders.SCHEMA_VERSION] = Buffer.from('two'))],
    ['invalid-header', (m: ReturnType<typeof asConsumed>) => (m.headers[TributaryHeaders.OCCURRED_AT] = Buffer.from('yesterday'))],
    ['unsupported-content-type', (m: ReturnType<typeof asConsumed>) => (m.headers[TributaryHeaders.CONTENT_TYPE] = Buffer.from('text/csv'))],
    ['malformed-payload', (m: ReturnType<typeof asConsumed>) => (m.value = Buffer.from('{"orderId":'))],
    ['empty-value', (m: ReturnType<typeof asConsumed>) => (m.value = Buffer.alloc(0))],
  ])('turns a malformed message into MessageDecodeException(%s)', (reason, spoil) => {
    const message = asConsumed(encodeEnvelope(envelope));
    spoil(message);
    try {
      decodeEnvelope(message);
      throw new Error('expected a decode error');
    } catch (e) {
      expect(e).toBeInstanceOf(MessageDecodeException);
      expect((e as MessageDecodeException).reason).toBe(reason);
    }
  });

  it('makes valid trace contexts and keeps the trace id of a parent', () => {
    const parent = createTraceparent();
    const child = createTraceparent(parent);
    expect(isValidTraceparent(parent)).toBe(true);
    expect(child.split('-')[1]).toBe(parent.split('-')[1]);
    expect(child.split('-')[2]).not.toBe(parent.split('-')[2]);
    expect(isValidTraceparent('00-00000000000000000000000000000000-0000000000000000-01')).toBe(false);
  });
});
