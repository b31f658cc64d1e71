import { EntitySchema } from 'typeorm';
import type { ProjectionTableNames } from '../interfaces/projections-module-options.interface';
import { resolveProjectionsOptions } from '../projections-options.validator';
import { inboxRetentionIndexName } from './projection-store';

/** Row of the checkpoint table. */
export interface ProjectionCheckpointRow {
  projection: string;
  topic: string;
  topic_partition: number;
  last_offset: string;
  updated_at: Date;
}

/** Row of the inbox table. */
export interface ProjectionInboxRow {
  projection: string;
  event_id: string;
  topic: string;
  topic_partition: number;
  message_offset: string;
  /** `applied`, or `dead-lettered` (only a replayed copy of the event is applied then). */
  outcome: 'applied' | 'dead-lettered';
  /** When the event was applied or dead-lettered: the retention sweep deletes rows older than `inbox.retentionMs`. */
  applied_at: Date;
}

/**
 * Entity schemas of the checkpoint and inbox tables, to read them with TypeORM repositories
 * (the module itself writes them with plain SQL). Add them to your DataSource's `entities`.
 */
export function projectionsEntities(tables: ProjectionTableNames = {}): [EntitySchema<ProjectionCheckpointRow>, EntitySchema<ProjectionInboxRow>] {
  const { checkpointTable, inboxTable } = resolveProjectionsOptions({ tables }, 'entities');
  const checkpoint = new EntitySchema<ProjectionCheckpointRow>({
    name: `ProjectionCheckpoint:${checkpointTable}`,
    tableName: checkpointTable,
    columns: {
      projection: { type: String, length: 200, primary: true },
      topic: { type: String, length: 249, primary: true },
      topic_partition: { type: 'int', primary: true },
      last_offset: { type: 'bigint' },
      updated_at: { type: Date, createDate: true },
    },
  });
  const inbox = new EntitySchema<ProjectionInboxRow>({
    name: `ProjectionInbox:${inboxTable}`,
    tableName: inboxTable,
    columns: {
      projection: { type: String, length: 200, primary: true },
      event_id: { type: String, length: 100, primary: true },
      topic: { type: String, length: 249 },
      topic_partition: { type: 'int' },
      message_offset: { type: 'bigint' },
      outcome: { type: String, length: 16, default: 'applied' },
      applied_at: { type: Date, createDate: true },
    },
    indices: [{ name: inboxRetentionIndexName(inboxTable), columns: ['projection', 'applied_at'] }],
  });
  return [checkpoint, inbox];
}
