/**
 * Why the database refused a batch's transaction although nothing is wrong with its events: it
 * lost a deadlock, a serialization check or a lock wait against another transaction (another
 * instance applying other partitions to the same rows). The cure is to roll the whole batch back,
 * which releases its locks so the other transaction can finish, and apply it again.
 */
export type TransactionConflict = 'deadlock' | 'serialization-failure' | 'lock-timeout';

/** PostgreSQL SQLSTATEs (Appendix A, classes 40 and 55). */
const POSTGRES: Record<string, TransactionConflict> = {
  '40P01': 'deadlock',
  '40001': 'serialization-failure',
  '55P03': 'lock-timeout', // lock_not_available: lock_timeout or NOWAIT
};

/** MySQL / MariaDB error numbers (mysql2 sets `errno` and the symbolic `code`). */
const MYSQL_ERRNO: Record<number, TransactionConflict> = {
  1213: 'deadlock', // ER_LOCK_DEADLOCK: InnoDB has rolled back the whole transaction
  1205: 'lock-timeout', // ER_LOCK_WAIT_TIMEOUT
};
const MYSQL_CODE: Record<string, TransactionConflict> = {
  ER_LOCK_DEADLOCK: 'deadlock',
  ER_LOCK_WAIT_TIMEOUT: 'lock-timeout',
};

/** How deep `cause` / `driverError` chains are followed (a handler may wrap the driver's error). */
const MAX_DEPTH = 4;

/**
 * The conflict `error` reports, or null for any other error. Reads the driver's code on the error
 * itself, on TypeORM's `driverError` and along `cause` (an error a handler wrapped):
 * PostgreSQL 40P01 / 40001 / 55P03, MySQL and MariaDB 1213 / 1205, SQLite `SQLITE_BUSY*`.
 */
export function transactionConflictOf(error: unknown, depth = 0): TransactionConflict | null {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH) return null;
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  if (typeof code === 'string') {
    const known = POSTGRES[code] ?? MYSQL_CODE[code];
    if (known) return known;
    if (code.startsWith('SQLITE_BUSY')) return 'lock-timeout';
  }
  if (typeof errno === 'number' && MYSQL_ERRNO[errno]) return MYSQL_ERRNO[errno];
  const { driverError, cause } = error as { driverError?: unknown; cause?: unknown };
  return transactionConflictOf(driverError, depth + 1) ?? transactionConflictOf(cause, depth + 1);
}
