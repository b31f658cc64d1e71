import { isSqlIdentifier } from '@tributary/kafka';
import { InvalidOutboxTableNameException } from '../exceptions/invalid-outbox-table-name.exception';

/**
 * Longest outbox table name: `<table>_lanes`, `<table>_meta` and the index names are derived
 * from it and must stay within the databases' 63-character identifier limit as well.
 */
const MAX_TABLE_NAME_LENGTH = 48;

/** True when `name` can be spliced into SQL as an outbox table name on every supported database. */
export function isValidTableName(name: unknown): name is string {
  return isSqlIdentifier(name, { maxLength: MAX_TABLE_NAME_LENGTH });
}

/** Returns `name`, or throws `InvalidOutboxTableNameException`. */
export function assertValidTableName(name: unknown): string {
  if (!isValidTableName(name)) throw new InvalidOutboxTableNameException(name);
  return name;
}
