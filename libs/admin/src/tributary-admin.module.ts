import { Module } from '@nestjs/common';
import { TributaryAdminConfigurableModuleClass } from './admin-module-definition';
import { TributaryAdmin } from './tributary-admin.service';

/**
 * The admin layer behind the `tributary` CLI and the dashboard. Needs `KafkaModule`; uses the
 * outbox, projections and discovery when the app has them. Global by default.
 *
 * ```ts
 * TributaryAdminModule.forRoot({ showPayloads: false })
 * ```
 */
@Module({
  providers: [TributaryAdmin],
  exports: [TributaryAdmin],
})
export class TributaryAdminModule extends TributaryAdminConfigurableModuleClass {}
