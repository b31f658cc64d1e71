import { InvalidOutboxTableNameException } from '../exceptions/invalid-outbox-table-name.exception';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** True when `name` can be spliced into SQL as a table name on every supported database. */
export function isValidTableName(name: unknown): name is string {
  return typeof name === 'string' && IDENTIFIER.test(name);
}

/** Returns `name`, or throws `InvalidOutboxTableNameException`. */
export function assertValidTableName(name: unknown): string {
  if (!isValidTableName(name)) throw new InvalidOutboxTableNameException(name);
  return name;
}
