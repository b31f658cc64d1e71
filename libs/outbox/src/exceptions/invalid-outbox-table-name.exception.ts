/**
 * The outbox table name is not a plain SQL identifier. It is spliced into SQL text, so only
 * letters, digits and `_` are accepted (starting with a letter or `_`, at most 48 characters,
 * leaving room for the `_lanes` table and index suffixes).
 */
export class InvalidOutboxTableNameException extends Error {
  constructor(readonly tableName: unknown) {
    super(
      `Invalid outbox table name ${JSON.stringify(tableName)}: use 1-48 characters of [A-Za-z0-9_], ` +
        'starting with a letter or "_" (e.g. "tributary_outbox").',
    );
    this.name = 'InvalidOutboxTableNameException';
  }
}
