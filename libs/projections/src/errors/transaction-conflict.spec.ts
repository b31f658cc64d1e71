import { transactionConflictOf } from './transaction-conflict';

/** Shaped like TypeORM's QueryFailedError: the driver's fields copied, the original in driverError. */
function queryFailed(driverError: Record<string, unknown>): Error {
  return Object.assign(new Error('query failed'), driverError, { driverError });
}

describe('transactionConflictOf', () => {
  it.each([
    ['PostgreSQL deadlock', queryFailed({ code: '40P01' }), 'deadlock'],
    ['PostgreSQL serialization failure', queryFailed({ code: '40001' }), 'serialization-failure'],
    ['PostgreSQL lock not available', queryFailed({ code: '55P03' }), 'lock-timeout'],
    ['MySQL deadlock by errno', queryFailed({ errno: 1213 }), 'deadlock'],
    ['MariaDB deadlock by code', queryFailed({ code: 'ER_LOCK_DEADLOCK', errno: 1213 }), 'deadlock'],
    ['MySQL lock wait timeout', queryFailed({ code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }), 'lock-timeout'],
    ['SQLite busy', queryFailed({ code: 'SQLITE_BUSY_SNAPSHOT' }), 'lock-timeout'],
    ['only in driverError', Object.assign(new Error('x'), { driverError: { code: '40P01' } }), 'deadlock'],
    ['wrapped by a handler', new Error('reserve failed', { cause: queryFailed({ code: '40P01' }) }), 'deadlock'],
  ])('%s', (_name, error, expected) => {
    expect(transactionConflictOf(error)).toBe(expected);
  });

  it.each([
    ['a unique violation', queryFailed({ code: '23505' })],
    ['a MySQL duplicate key', queryFailed({ code: 'ER_DUP_ENTRY', errno: 1062 })],
    ['a plain error', new Error('boom')],
    ['a string', 'deadlock detected'],
    ['undefined', undefined],
  ])('not %s', (_name, error) => {
    expect(transactionConflictOf(error)).toBeNull();
  });

  it('stops following a cause chain that loops', () => {
    const a: { cause?: unknown } = {};
    const b = { cause: a };
    a.cause = b;
    expect(transactionConflictOf(a)).toBeNull();
  });
});
