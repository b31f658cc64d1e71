import { InvalidOutboxTableNameException } from '../exceptions/invalid-outbox-table-name.exception';
import { assertValidTableName, isValidTableName } from './outbox-table-name';

describe('table name validation', () => {
  it.each(['tributary_outbox', '_t', 'Orders2', 'a'.repeat(48)])('accepts %s', (name) => {
    expect(isValidTableName(name)).toBe(true);
    expect(assertValidTableName(name)).toBe(name);
  });

  it.each(['', '1table', 'orders-outbox', 'a b', 'x"; DROP TABLE y; --', 'schema.table', 'a'.repeat(49), 'é', undefined, 42])(
    'refuses %p with a typed error',
    (name) => {
      expect(isValidTableName(name)).toBe(false);
      expect(() => assertValidTableName(name)).toThrow(InvalidOutboxTableNameException);
    },
  );
});
