import { EntitySchema, type ColumnType, type ValueTransformer } from 'typeorm';
import type { OutboxRow } from '../store/outbox-row.interface';
import { assertValidTableName } from '../util/outbox-table-name';

/** Database families the entity has column types for. */
export type OutboxEntityDatabase = 'postgres' | 'mysql' | 'mariadb' | 'better-sqlite3';

const isoTime: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.toISOString() : value),
  from: (value: string | null) => (value === null ? null : new Date(value)),
};
const json: ValueTransformer = {
  to: (value: Record<string, string>) => JSON.stringify(value),
  from: (value: string) => JSON.parse(value) as Record<string, string>,
};

/**
 * A TypeORM entity of the outbox table, for apps that want to query it through a repository
 * (the outbox itself runs plain SQL). Add it to the DataSource's `entities` and keep
 * `synchronize` off for it: the migration owns the table.
 */
export function createOutboxEntitySchema(
  database: OutboxEntityDatabase,
  tableName = 'tributary_outbox',
): EntitySchema<OutboxRow> {
  assertValidTableName(tableName);
  const sqlite = database === 'better-sqlite3';
  const time: ColumnType = database === 'postgres' ? 'timestamptz' : sqlite ? 'text' : 'datetime';
  const timeColumn = { type: time, precision: sqlite ? undefined : 3, transformer: sqlite ? isoTime : undefined };
  return new EntitySchema<OutboxRow>({
    name: `TributaryOutbox_${tableName}`,
    tableName,
    columns: {
      id: { type: sqlite ? 'integer' : 'bigint', primary: true, generated: 'increment', transformer: { to: (v) => v, from: (v) => Number(v) } },
      eventId: { name: 'event_id', type: database === 'postgres' ? 'uuid' : sqlite ? 'text' : 'char', length: sqlite || database === 'postgres' ? undefined : 36 },
      topic: { type: 'varchar', length: 249 },
      key: { name: 'message_key', type: 'text', nullable: true },
      type: { name: 'event_type', type: 'varchar', length: 255 },
      version: { name: 'event_version', type: 'integer' },
      payload: { type: 'text' },
      headers: { type: 'text', transformer: json },
      lane: { type: 'integer' },
      status: { type: 'varchar', length: 16, default: 'pending' },
      attempts: { type: 'integer', default: 0 },
      lastError: { name: 'last_error', type: 'text', nullable: true },
      createdAt: { name: 'created_at', ...timeColumn },
      availableAt: { name: 'available_at', ...timeColumn },
      publishedAt: { name: 'published_at', ...timeColumn, nullable: true },
    },
  });
}
