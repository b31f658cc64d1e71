import { randomBytes, timingSafeEqual } from 'node:crypto';
import { DASHBOARD_CSRF_COOKIE } from '../dashboard.constants';

/** A fresh CSRF token: 32 random bytes, base64url. */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The token in a `Cookie` request header, or undefined. */
export function csrfTokenFromCookie(cookieHeader: string | string[] | undefined): string | undefined {
  const header = Array.isArray(cookieHeader) ? cookieHeader.join('; ') : cookieHeader;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === DASHBOARD_CSRF_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/** The `Set-Cookie` value for a token, scoped to the page's path (HttpOnly, SameSite=Strict, session-long). */
export function csrfCookie(token: string, path: string): string {
  return `${DASHBOARD_CSRF_COOKIE}=${token}; Path=${path}; HttpOnly; SameSite=Strict`;
}

/** Constant-time comparison of two tokens; false when either is missing. */
export function csrfTokensMatch(expected: string | undefined, actual: string | undefined): boolean {
  if (!expected || !actual) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}
