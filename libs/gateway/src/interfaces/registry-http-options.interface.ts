import type { CanActivate, Type } from '@nestjs/common';

/** Options of `RegistryHttpModule.forRoot` / `forRootAsync` (the route and guards are in `RegistryHttpModuleExtras`). */
export interface RegistryHttpModuleOptions {
  /** A comment line is written on every open `/stream` this often, ms, so proxies keep it open. @default 15000 */
  streamHeartbeatMs?: number;
  /** Right after start, answers wait up to this long for the registry to be read, ms. @default 3000 */
  readyTimeoutMs?: number;
}

/** Fixed when the module is defined: they are controller metadata. */
export interface RegistryHttpModuleExtras {
  /** Route under which the endpoints are served (the app's global prefix is added in front). @default 'registry' */
  path?: string;
  /**
   * Guards on every endpoint. The registry shows hosts and ports of your instances: guard it (or
   * keep it off the public network) outside development.
   * @default []
   */
  guards?: Array<Type<CanActivate> | CanActivate>;
}
