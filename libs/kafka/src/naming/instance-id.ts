import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A default instance id: readable, unique per process start, safe in topic and group names.
 * `<host>-<pid>-<6 hex>`, the host reduced to letters, digits, ".", "_" and "-" (at most 40 characters).
 */
export function defaultInstanceId(host = hostname()): string {
  const safeHost = host.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 40) || 'host';
  return `${safeHost}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
