import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { DASHBOARD_CSRF_COOKIE } from './dashboard.constants';
import { resolveDashboardSettings } from './dashboard-settings';
import { basicAuthMatches, parseBasicAuth } from './guards/dashboard-basic-auth';
import { DashboardBasicAuthGuard } from './guards/dashboard-basic-auth.guard';
import { csrfTokenFromCookie } from './guards/dashboard-csrf';
import { DashboardCsrfGuard } from './guards/dashboard-csrf.guard';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function httpContext(headers: Record<string, string>, response: object = {}): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => ({ headers }), getResponse: () => response }) } as unknown as ExecutionContext;
}

describe('dashboard basic auth', () => {
  const auth = { username: 'ops', password: 'p:ss word' };

  it('accepts exactly the configured user and password (a colon in the password included)', () => {
    expect(parseBasicAuth(basic('ops', 'p:ss word'))).toEqual({ username: 'ops', password: 'p:ss word' });
    expect(basicAuthMatches(auth, basic('ops', 'p:ss word'))).toBe(true);
    expect(basicAuthMatches(auth, basic('ops', 'p:ss wor'))).toBe(false);
    expect(basicAuthMatches(auth, basic('Ops', 'p:ss word'))).toBe(false);
    expect(basicAuthMatches(auth, 'Bearer abc')).toBe(false);
    expect(basicAuthMatches(auth, undefined)).toBe(false);
  });

  it('answers 401 with a WWW-Authenticate header set through the HTTP adapter', () => {
    const setHeader = jest.fn();
    const settings = resolveDashboardSettings({ basicAuth: auth }, false);
    const guard = new DashboardBasicAuthGuard(settings, { httpAdapter: { setHeader } } as unknown as HttpAdapterHost);
    const response = {};
    expect(() => guard.canActivate(httpContext({}, response))).toThrow(UnauthorizedException);
    expect(setHeader).toHaveBeenCalledWith(response, 'WWW-Authenticate', 'Basic realm="Tributary dashboard", charset="UTF-8"');
    expect(guard.canActivate(httpContext({ authorization: basic('ops', 'p:ss word') }))).toBe(true);
  });

  it('refuses a dashboard with neither basic auth nor a guard, and lets a guard alone through', () => {
    expect(() => resolveDashboardSettings({}, false)).toThrow(/pass `basicAuth: \{ username, password \}` or a `guard`/);
    expect(resolveDashboardSettings({}, true)).toMatchObject({ showPayloads: false, title: 'Tributary', refreshIntervalMs: 3000 });
    expect(() => resolveDashboardSettings({ basicAuth: { username: 'a:b', password: 'x' } }, false)).toThrow(/without ":"/);
  });
});

describe('dashboard CSRF guard', () => {
  const token = 'A'.repeat(43);
  const guard = new DashboardCsrfGuard();

  it('passes when the header equals the cookie, and refuses (403) a missing or different token', () => {
    const cookie = `other=1; ${DASHBOARD_CSRF_COOKIE}=${token}`;
    expect(csrfTokenFromCookie(cookie)).toBe(token);
    expect(guard.canActivate(httpContext({ cookie, 'x-tributary-csrf': token }))).toBe(true);
    expect(() => guard.canActivate(httpContext({ cookie }))).toThrow(ForbiddenException);
    expect(() => guard.canActivate(httpContext({ 'x-tributary-csrf': token }))).toThrow(ForbiddenException);
    expect(() => guard.canActivate(httpContext({ cookie, 'x-tributary-csrf': 'B'.repeat(43) }))).toThrow(ForbiddenException);
    expect(() => guard.canActivate(httpContext({ cookie: `${DASHBOARD_CSRF_COOKIE}=`, 'x-tributary-csrf': '' }))).toThrow(ForbiddenException);
  });
});
