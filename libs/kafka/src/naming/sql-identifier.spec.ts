import { isSqlIdentifier } from './sql-identifier';

describe('isSqlIdentifier', () => {
  it.each(['orders', '_t', 'Orders2', 'a'.repeat(63)])('accepts %s', (name) => {
    expect(isSqlIdentifier(name)).toBe(true);
  });

  it.each(['', '1table', 'orders-outbox', 'a b', 'x"; DROP TABLE y; --', 'é', 'a'.repeat(64), undefined, 42, null])(
    'refuses %p',
    (name) => {
      expect(isSqlIdentifier(name)).toBe(false);
    },
  );

  it('takes a lower bound from callers that derive names from this one', () => {
    expect(isSqlIdentifier('a'.repeat(48), { maxLength: 48 })).toBe(true);
    expect(isSqlIdentifier('a'.repeat(49), { maxLength: 48 })).toBe(false);
  });

  it('accepts one schema prefix only when allowed, each part under the same rule', () => {
    expect(isSqlIdentifier('reporting.orders')).toBe(false);
    expect(isSqlIdentifier('reporting.orders', { allowSchema: true })).toBe(true);
    expect(isSqlIdentifier(`${'s'.repeat(63)}.${'t'.repeat(63)}`, { allowSchema: true })).toBe(true);
    for (const name of ['a.b.c', '.orders', 'reporting.', '1s.orders', 'reporting.1t', `s.${'t'.repeat(64)}`]) {
      expect(isSqlIdentifier(name, { allowSchema: true })).toBe(false);
    }
  });
});
