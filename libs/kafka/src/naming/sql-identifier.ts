/** Limits of {@link isSqlIdentifier}. */
export interface SqlIdentifierRules {
  /**
   * Longest accepted name (of each part, when a schema is allowed). 63 is PostgreSQL's limit, the
   * smallest of the supported databases (MySQL/MariaDB take 64). A caller that derives more names
   * from this one (`<name>_meta`, `<name>_<index>`) passes a lower bound so that those fit as well.
   * @default 63
   */
  maxLength?: number;
  /** Accept one `schema.` prefix (`reporting.orders`). @default false */
  allowSchema?: boolean;
}

const PART = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * True when `name` is a plain SQL identifier that can be spliced into SQL, quoted, on PostgreSQL,
 * MySQL/MariaDB and SQLite alike: letters, digits and `_`, not starting with a digit, at most
 * `maxLength` long, optionally (`allowSchema`) with one `schema.` prefix following the same rule.
 *
 * The rule is the same everywhere; the limits are the caller's. The outbox passes
 * `maxLength: 48` because it creates `<table>_lanes`, `<table>_meta` and index names from its
 * table name, which must stay within 63 too; projection tables may live in another schema
 * (`allowSchema: true`). Each caller turns `false` into its own typed exception.
 */
export function isSqlIdentifier(name: unknown, rules: SqlIdentifierRules = {}): name is string {
  if (typeof name !== 'string') return false;
  const maxLength = rules.maxLength ?? 63;
  const parts = name.split('.');
  if (parts.length > (rules.allowSchema ? 2 : 1)) return false;
  return parts.every((part) => part.length <= maxLength && PART.test(part));
}
