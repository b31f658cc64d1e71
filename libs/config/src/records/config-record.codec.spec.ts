import { createHash } from 'node:crypto';
import { ConfigHeaders } from '../dynamic-config.constants';
import { decodeConfigRecord, encodeConfigRecord, previousHeaderValue } from './config-record.codec';

const base = { key: 'orders/limits', actor: 'alice', changedAt: new Date('2026-01-02T03:04:05.000Z'), instance: 'i-1', service: 'orders' };

function asKafka(message: ReturnType<typeof encodeConfigRecord>) {
  const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))]));
  return {
    key: Buffer.from(String(message.key)),
    value: message.value === null ? null : Buffer.from(message.value as Buffer),
    headers,
  };
}

describe('config record codec', () => {
  it('writes a set with its audit headers and reads it back', () => {
    const message = encodeConfigRecord({ ...base, value: { maxItems: 5 }, previous: { maxItems: 10 } });
    expect(message.headers).toMatchObject({
      [ConfigHeaders.ACTOR]: 'alice',
      [ConfigHeaders.CHANGED_AT]: '2026-01-02T03:04:05.000Z',
      [ConfigHeaders.PREVIOUS]: '{"maxItems":10}',
      [ConfigHeaders.INSTANCE]: 'i-1',
      'tributary-source': 'orders',
      'content-type': 'application/json',
    });
    expect(decodeConfigRecord(asKafka(message))).toEqual({
      kind: 'set',
      key: 'orders/limits',
      value: { maxItems: 5 },
      audit: { actor: 'alice', changedAt: '2026-01-02T03:04:05.000Z', previous: '{"maxItems":10}', instance: 'i-1', service: 'orders' },
    });
  });

  it('writes a delete as a tombstone that still carries the audit headers', () => {
    const message = encodeConfigRecord({ ...base, value: null, previous: { maxItems: 5 } });
    expect(message.value).toBeNull();
    const decoded = decodeConfigRecord(asKafka(message));
    expect(decoded).toMatchObject({ kind: 'delete', key: 'orders/limits', audit: { actor: 'alice', previous: '{"maxItems":5}' } });
  });

  it('writes previous as null when the entry had no stored value', () => {
    expect(encodeConfigRecord({ ...base, value: { maxItems: 5 }, previous: null }).headers?.[ConfigHeaders.PREVIOUS]).toBe('null');
  });

  it('hashes a previous value longer than the limit', () => {
    const previous = { text: 'x'.repeat(100) };
    const json = JSON.stringify(previous);
    expect(previousHeaderValue(previous, 1000)).toBe(json);
    expect(previousHeaderValue(previous, 50)).toBe(`sha256:${createHash('sha256').update(json).digest('hex')}`);
  });

  it('reports a value that is not JSON as malformed, and skips records without a key', () => {
    expect(decodeConfigRecord({ key: Buffer.from('orders/limits'), value: Buffer.from('{nope'), headers: {} })).toMatchObject({
      kind: 'malformed',
      key: 'orders/limits',
    });
    expect(decodeConfigRecord({ key: null, value: Buffer.from('{}'), headers: {} })).toBeUndefined();
  });

  it('reads records written without audit headers (another tool) with the audit left empty', () => {
    expect(decodeConfigRecord({ key: Buffer.from('orders/limits'), value: Buffer.from('{"maxItems":1}'), headers: {} })).toEqual({
      kind: 'set',
      key: 'orders/limits',
      value: { maxItems: 1 },
      audit: { actor: undefined, changedAt: undefined, previous: undefined, instance: undefined, service: undefined },
    });
  });
});
