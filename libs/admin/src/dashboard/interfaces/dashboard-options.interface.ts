import type { CanActivate, Type } from '@nestjs/common';

/** Credentials of the dashboard's own HTTP basic auth. */
export interface DashboardBasicAuth {
  username: string;
  password: string;
  /** Realm shown by the browser's login prompt. @default 'Tributary dashboard' */
  realm?: string;
}

/** Options of `TributaryDashboardModule.forRoot` that are read at request time. */
export interface TributaryDashboardOptions {
  /**
   * Ask for these credentials on every page, asset and API call (401 with `WWW-Authenticate`
   * otherwise). Actions are logged with the user name. Pass `guard`, `basicAuth`, or both.
   */
  basicAuth?: DashboardBasicAuth;
  /**
   * Show payloads and headers of dead outbox rows and dead letters. They may hold personal data;
   * `TributaryAdminModule` must allow them too (its own `showPayloads`).
   * @default false
   */
  showPayloads?: boolean;
  /** Title of the page. @default 'Tributary' */
  title?: string;
  /** How often the page's data is refreshed (SSE push, or the polling fallback), ms. @default 3000 */
  refreshIntervalMs?: number;
  /** Most dead rows and dead letters listed on the page. @default 100 */
  listLimit?: number;
}

/** Options fixed when the module is defined (they shape its routes and guards). */
export interface TributaryDashboardExtras {
  /**
   * Route of the page, under the app's global prefix. The JSON/SSE API lives under `<path>/api`.
   * @default '/tributary'
   */
  path?: string;
  /**
   * A guard every page, asset and API call must pass (e.g. your session or JWT guard): a class,
   * resolved by Nest in the dashboard's module (its dependencies must come from a global module),
   * or an instance. Runs after `basicAuth`.
   */
  guard?: Type<CanActivate> | CanActivate;
}

/** Everything `TributaryDashboardModule.forRoot` takes. */
export type TributaryDashboardModuleOptions = TributaryDashboardOptions & TributaryDashboardExtras;
