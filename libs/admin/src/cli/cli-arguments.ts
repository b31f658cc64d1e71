import type { DeadLetterFilter, DeadLetterSelection } from '../interfaces/admin-dead-letter.interface';
import type { DeadRowFilter, DeadRowSelection } from '../interfaces/admin-outbox.interface';
import type { TopologyFormat } from '../interfaces/admin-topology.interface';
import { CliUsageError } from './cli-usage.error';

/** Output formats of `tributary topology`. */
export const TOPOLOGY_FORMATS = ['table', 'mermaid', 'dot', 'json'] as const;
export type TopologyCliFormat = TopologyFormat | 'table';

export function parseTopologyFormat(value: string | undefined, json: boolean | undefined): TopologyCliFormat {
  if (json) {
    if (value !== undefined && value !== 'json') throw new CliUsageError(`--json and --format ${value} disagree: pass one of them`, 'tributary topology --format table|mermaid|dot|json');
    return 'json';
  }
  const format = value ?? 'table';
  if (!(TOPOLOGY_FORMATS as readonly string[]).includes(format)) {
    throw new CliUsageError(`unknown format "${format}": use --format ${TOPOLOGY_FORMATS.join('|')}`, 'tributary topology --format table|mermaid|dot|json');
  }
  return format as TopologyCliFormat;
}

/** A positive integer (a limit), or undefined. */
export function parseLimit(value: string | undefined, option = '--limit'): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new CliUsageError(`${option} takes a positive whole number, e.g. ${option} 50 (got "${value}")`);
  return Number(value);
}

/** An ISO date or date-time, or undefined. */
export function parseTime(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at.getTime())) {
    throw new CliUsageError(`${option} takes an ISO date or time, e.g. ${option} 2026-01-31 or ${option} 2026-01-31T12:00:00Z (got "${value}")`);
  }
  return at;
}

/** Options shared by the outbox dead-row commands. */
export interface DeadRowCliOptions {
  id?: string[];
  all?: boolean;
  type?: string;
  key?: string;
  error?: string;
  since?: string;
  until?: string;
  limit?: string;
  showPayloads?: boolean;
}

export function deadRowFilterOf(o: DeadRowCliOptions): DeadRowFilter {
  return {
    type: o.type,
    key: o.key,
    error: o.error,
    since: parseTime(o.since, '--since'),
    until: parseTime(o.until, '--until'),
    limit: parseLimit(o.limit),
    showPayloads: o.showPayloads,
  };
}

/** Which dead rows `requeue`/`purge` act on: exactly one of --id, --all, or a filter. */
export function deadRowSelectionOf(o: DeadRowCliOptions, command: 'requeue' | 'purge'): DeadRowSelection {
  const usage = `tributary outbox dead ${command} --id N [--id N ...] | --all | [--type T] [--key K] [--error TEXT] [--since DATE] [--until DATE]`;
  const filter = deadRowFilterOf(o);
  const hasFilter = [filter.type, filter.key, filter.error, filter.since, filter.until].some((v) => v !== undefined);
  const ways = [o.id !== undefined && o.id.length > 0, o.all === true, hasFilter].filter(Boolean).length;
  if (ways === 0) throw new CliUsageError(`say which dead rows to ${command}: --id 12 (repeatable), --all, or a filter such as --type orders.order-placed`, usage);
  if (ways > 1) throw new CliUsageError(`pass only one of --id, --all or filters (--type, --key, --error, --since, --until) to ${command}`, usage);
  if (o.all) return 'all';
  if (o.id && o.id.length > 0) return { ids: o.id.map((id) => parseRowId(id, usage)) };
  const { limit: _limit, showPayloads: _show, ...criteria } = filter;
  return criteria;
}

function parseRowId(value: string, usage: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new CliUsageError(`--id takes a dead row id (a positive whole number, see \`tributary outbox dead list\`), got "${value}"`, usage);
  }
  return Number(value);
}

/** Options shared by the dead-letter commands. */
export interface DeadLetterCliOptions {
  id?: string[];
  all?: boolean;
  topic?: string;
  projection?: string;
  reason?: string;
  error?: string;
  type?: string;
  since?: string;
  until?: string;
  limit?: string;
  includeHandled?: boolean;
  showPayloads?: boolean;
}

export function deadLetterFilterOf(o: DeadLetterCliOptions): DeadLetterFilter {
  return {
    topic: o.topic,
    projection: o.projection,
    reason: o.reason,
    error: o.error,
    type: o.type,
    since: parseTime(o.since, '--since'),
    until: parseTime(o.until, '--until'),
    limit: parseLimit(o.limit),
    includeHandled: o.includeHandled,
    showPayloads: o.showPayloads,
  };
}

const DEAD_LETTER_ID = /^.+\/\d+\/\d+$/;

/** Which dead letters `replay`/`archive` act on: exactly one of --id, --all, or a filter. */
export function deadLetterSelectionOf(o: DeadLetterCliOptions, command: 'replay' | 'archive'): DeadLetterSelection {
  const usage = `tributary dlq ${command} --id <topic>/<partition>/<offset> [--id ...] | --all | [--topic T] [--projection P] [--reason R] [--error TEXT] [--type T]`;
  const { limit: _limit, showPayloads: _show, includeHandled: _handled, ...filter } = deadLetterFilterOf(o);
  const hasFilter = Object.values(filter).some((v) => v !== undefined);
  const ways = [o.id !== undefined && o.id.length > 0, o.all === true, hasFilter].filter(Boolean).length;
  if (ways === 0) throw new CliUsageError(`say which dead letters to ${command}: --id <topic>/<partition>/<offset> (see \`tributary dlq list\`), --all, or a filter such as --projection orders-view`, usage);
  if (ways > 1) throw new CliUsageError(`pass only one of --id, --all or filters (--topic, --projection, --reason, --error, --type) to ${command}`, usage);
  if (o.all) return 'all';
  if (o.id && o.id.length > 0) {
    const bad = o.id.find((id) => !DEAD_LETTER_ID.test(id));
    if (bad !== undefined) throw new CliUsageError(`--id takes a dead letter id <topic>/<partition>/<offset> as \`tributary dlq list\` prints it, got "${bad}"`, usage);
    return { ids: o.id };
  }
  return filter;
}
