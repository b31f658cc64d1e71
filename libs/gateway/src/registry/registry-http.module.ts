import { Module } from '@nestjs/common';
import { RegistryEventStreams } from './registry-event-streams';
import { RegistryHttpConfigurableModuleClass } from './registry-http-module-definition';

/**
 * The service registry over HTTP (opt-in): `GET <path>/services`, `<path>/services/:name`,
 * `<path>/topology` and `<path>/stream` (SSE). Needs `DiscoveryModule` (global by default;
 * `announce: false` for an app that only reads).
 *
 * ```ts
 * RegistryHttpModule.forRoot({ path: 'registry', guards: [OpsGuard] })
 * ```
 */
@Module({
  providers: [RegistryEventStreams],
  exports: [RegistryEventStreams],
})
export class RegistryHttpModule extends RegistryHttpConfigurableModuleClass {}
