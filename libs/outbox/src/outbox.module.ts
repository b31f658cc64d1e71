import { Module } from '@nestjs/common';
import { OutboxAdmin } from './admin/outbox.admin';
import { OutboxHealthIndicator } from './health/outbox.health';
import { OutboxMetrics } from './observability/outbox-metrics';
import { OutboxConfigurableModuleClass } from './outbox-module-definition';
import { OutboxContext } from './outbox.context';
import { OutboxPublisher } from './publisher/outbox.publisher';
import { OutboxRelay } from './relay/outbox.relay';

/**
 * Transactional outbox. Needs `KafkaModule` and a TypeORM DataSource (by default the one of
 * `TypeOrmModule.forRoot`). Global by default (`isGlobal: false` to scope it).
 *
 * ```ts
 * OutboxModule.forRoot({ tableName: 'orders_outbox', events: [OrderPlaced] })
 * ```
 */
@Module({
  providers: [OutboxContext, OutboxMetrics, OutboxPublisher, OutboxRelay, OutboxAdmin, OutboxHealthIndicator],
  exports: [OutboxPublisher, OutboxRelay, OutboxAdmin, OutboxHealthIndicator],
})
export class OutboxModule extends OutboxConfigurableModuleClass {}
