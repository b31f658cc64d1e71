import { createHash, timingSafeEqual } from 'node:crypto';
import type { DashboardBasicAuth } from '../interfaces/dashboard-options.interface';

/** The user name and password of an `Authorization: Basic …` header, or undefined. */
export function parseBasicAuth(header: string | string[] | undefined): { username: string; password: string } | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** True when the header carries exactly the configured credentials (constant-time comparison). */
export function basicAuthMatches(expected: DashboardBasicAuth, header: string | string[] | undefined): boolean {
  const given = parseBasicAuth(header);
  if (!given) return false;
  // Hash first so the comparison takes the same time whatever the lengths.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const userOk = timingSafeEqual(digest(expected.username), digest(given.username));
  const passwordOk = timingSafeEqual(digest(expected.password), digest(given.password));
  return userOk && passwordOk;
}
