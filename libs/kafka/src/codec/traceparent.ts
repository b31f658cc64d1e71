import { randomBytes } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** True when `value` is a W3C `traceparent` of version 00 with non-zero ids. */
export function isValidTraceparent(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = TRACEPARENT.exec(value);
  return !!m && !/^0+$/.test(m[1]) && !/^0+$/.test(m[2]);
}

/** A fresh sampled trace context, or a child span of `parent` when it is valid. */
export function createTraceparent(parent?: string): string {
  const span = randomBytes(8).toString('hex');
  if (isValidTraceparent(parent)) {
    const [, traceId, , flags] = TRACEPARENT.exec(parent)!;
    return `00-${traceId}-${span}-${flags}`;
  }
  return `00-${randomBytes(16).toString('hex')}-${span}-01`;
}
