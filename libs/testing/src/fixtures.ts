import { randomBytes } from 'node:crypto';

/** Brokers of the test Kafka (`KAFKA_BROKERS`, set by the test run's global setup). */
export function testBrokers(): string[] {
  const value = process.env.KAFKA_BROKERS;
  if (!value) {
    throw new Error('KAFKA_BROKERS is not set: run the tests through jest (its global setup starts Kafka) or npm run kafka:start');
  }
  return value.split(',').map((b) => b.trim()).filter(Boolean);
}

/** A name no other test run uses: `<prefix>-<time>-<random>`, safe for topics, groups and tables. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Same as `uniqueName` with `_` separators, for SQL identifiers. */
export function uniqueIdentifier(prefix: string): string {
  return uniqueName(prefix).replace(/-/g, '_');
}

/** PostgreSQL of the test machine (`DATABASE_URL` overrides). */
export function postgresUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** MariaDB/MySQL of the test machine (`MARIADB_URL` overrides). */
export function mariadbUrl(): string {
  return process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';
}
