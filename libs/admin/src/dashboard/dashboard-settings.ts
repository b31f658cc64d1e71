import { DashboardConfigurationException } from './exceptions/dashboard-configuration.exception';
import type { DashboardBasicAuth, TributaryDashboardOptions } from './interfaces/dashboard-options.interface';

/** Injection token of the checked options with their defaults. */
export const DASHBOARD_SETTINGS = Symbol('TRIBUTARY_DASHBOARD_SETTINGS');

/** The dashboard's options, checked, with defaults filled in. */
export interface DashboardSettings {
  basicAuth?: Required<DashboardBasicAuth>;
  showPayloads: boolean;
  title: string;
  refreshIntervalMs: number;
  listLimit: number;
}

/**
 * Check the options. A dashboard without any access control is refused: it can requeue, purge,
 * rebuild and replay. For a deliberately open page (a local demo) pass a guard that returns true.
 */
export function resolveDashboardSettings(options: TributaryDashboardOptions, hasGuard: boolean): DashboardSettings {
  const { basicAuth } = options;
  if (!basicAuth && !hasGuard) {
    throw new DashboardConfigurationException(
      'pass `basicAuth: { username, password }` or a `guard`; a dashboard that can replay and purge must not be open to anyone who reaches the app',
    );
  }
  if (basicAuth && (!basicAuth.username || !basicAuth.password || basicAuth.username.includes(':'))) {
    throw new DashboardConfigurationException('`basicAuth` needs a non-empty `username` (without ":") and a non-empty `password`');
  }
  const refreshIntervalMs = options.refreshIntervalMs ?? 3000;
  if (!Number.isInteger(refreshIntervalMs) || refreshIntervalMs < 250) {
    throw new DashboardConfigurationException('`refreshIntervalMs` must be an integer of at least 250 (ms)');
  }
  const listLimit = options.listLimit ?? 100;
  if (!Number.isInteger(listLimit) || listLimit < 1 || listLimit > 10_000) {
    throw new DashboardConfigurationException('`listLimit` must be an integer between 1 and 10000');
  }
  return {
    basicAuth: basicAuth ? { realm: 'Tributary dashboard', ...basicAuth } : undefined,
    showPayloads: options.showPayloads ?? false,
    title: options.title ?? 'Tributary',
    refreshIntervalMs,
    listLimit,
  };
}

/** Route of the page without surrounding slashes; throws when it is not a plain URL path. */
export function normalizeDashboardPath(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (!/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(trimmed)) {
    throw new DashboardConfigurationException(
      `\`path\` must be a plain URL path such as '/tributary' or '/ops/tributary' (letters, digits, '.', '_', '~', '-'), got '${path}'`,
    );
  }
  return trimmed;
}
