import { BadRequestException } from '@nestjs/common';
import type { DeadLetterFilter, DeadLetterSelection } from '../interfaces/admin-dead-letter.interface';
import type { DeadRowFilter, DeadRowSelection } from '../interfaces/admin-outbox.interface';

const MAX_IDS = 10_000;

/** The body of a dead-row action: `{ ids: number[] }`, `{ all: true }` or `{ filter: { type?, key?, error? } }`. */
export function parseDeadRowSelection(body: unknown): DeadRowSelection {
  const b = asObject(body);
  if (b.all === true) return 'all';
  if (b.ids !== undefined) {
    if (!Array.isArray(b.ids) || b.ids.length === 0 || b.ids.length > MAX_IDS || !b.ids.every((id) => Number.isSafeInteger(id) && id > 0)) {
      throw new BadRequestException(`\`ids\` must be 1 to ${MAX_IDS} dead row ids (positive integers)`);
    }
    return { ids: b.ids as number[] };
  }
  if (b.filter !== undefined) return parseDeadRowFilter(asObject(b.filter), true);
  throw new BadRequestException('send `{ "ids": [1, 2] }`, `{ "all": true }` or `{ "filter": { "type": "...", "key": "...", "error": "..." } }`');
}

/** The body of a dead-letter action: `{ ids: string[] }`, `{ all: true }` or `{ filter: { topic?, projection?, reason?, error?, type? } }`. */
export function parseDeadLetterSelection(body: unknown): DeadLetterSelection {
  const b = asObject(body);
  if (b.all === true) return 'all';
  if (b.ids !== undefined) {
    if (!Array.isArray(b.ids) || b.ids.length === 0 || b.ids.length > MAX_IDS || !b.ids.every((id) => typeof id === 'string' && /^.+\/\d+\/\d+$/.test(id))) {
      throw new BadRequestException(`\`ids\` must be 1 to ${MAX_IDS} dead-letter ids like "orders.dlq/0/42"`);
    }
    return { ids: b.ids as string[] };
  }
  if (b.filter !== undefined) return parseDeadLetterFilter(asObject(b.filter), true);
  throw new BadRequestException('send `{ "ids": ["<topic>/<partition>/<offset>"] }`, `{ "all": true }` or `{ "filter": { "topic": "...", "projection": "...", "reason": "..." } }`');
}

/** A dead-row filter from query parameters or a body. */
export function parseDeadRowFilter(source: Record<string, unknown>, forAction = false): DeadRowFilter {
  const filter: DeadRowFilter = {
    type: optionalText(source, 'type'),
    key: optionalText(source, 'key'),
    error: optionalText(source, 'error'),
    limit: forAction ? undefined : optionalLimit(source),
  };
  return dropUndefined(filter, forAction);
}

/** A dead-letter filter from query parameters or a body. */
export function parseDeadLetterFilter(source: Record<string, unknown>, forAction = false): DeadLetterFilter {
  const filter: DeadLetterFilter = {
    topic: optionalText(source, 'topic'),
    projection: optionalText(source, 'projection'),
    reason: optionalText(source, 'reason'),
    error: optionalText(source, 'error'),
    type: optionalText(source, 'type'),
    limit: forAction ? undefined : optionalLimit(source),
  };
  return dropUndefined(filter, forAction);
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestException('send a JSON object (Content-Type: application/json)');
  }
  return value as Record<string, unknown>;
}

function optionalText(source: Record<string, unknown>, name: string): string | undefined {
  const value = source[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 500) throw new BadRequestException(`\`${name}\` must be a text of at most 500 characters`);
  return value;
}

function optionalLimit(source: Record<string, unknown>): number | undefined {
  const value = source.limit;
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new BadRequestException('`limit` must be an integer between 1 and 10000');
  return n;
}

function dropUndefined<T extends object>(filter: T, forAction: boolean): T {
  const entries = Object.entries(filter).filter(([, v]) => v !== undefined);
  // An empty filter in an action would select everything: make the caller say `all` instead.
  if (forAction && entries.length === 0) throw new BadRequestException('an empty `filter` selects every item: send `{ "all": true }` if that is meant');
  return Object.fromEntries(entries) as T;
}
