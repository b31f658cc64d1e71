/** Runs transactions: concurrently, or one at a time where the driver has a single connection. */
export type TransactionGate = <T>(work: () => Promise<T>) => Promise<T>;

/** No limit: every transaction gets its own pooled connection (PostgreSQL, MySQL/MariaDB). */
export const concurrentTransactions: TransactionGate = (work) => work();

/**
 * One transaction at a time. TypeORM's SQLite drivers hand every caller the same query runner, so
 * a second transaction opened meanwhile would silently become a savepoint of the first.
 */
export function serialTransactions(): TransactionGate {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}
