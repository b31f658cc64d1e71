import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { TributaryService, DiscoveryModule } from '@tributary/discovery';
import { KafkaModule, TributaryMetricsModule } from '@tributary/kafka';
import { OutboxModule } from '@tributary/outbox';
import { ordersConfig } from './config';
import { OrderPlaced } from './order-placed.event';
import { Order } from './order.entity';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

const config = ordersConfig();

/** The orders service: owns orders and publishes OrderPlaced through the transactional outbox. */
@TributaryService({ name: 'orders', version: '1.0.0' })
@Module({
  imports: [
    KafkaModule.forRoot({ brokers: config.brokers, serviceName: 'orders' }),
    // synchronize keeps the sample short; a real service runs migrations (see createOutboxMigration).
    TypeOrmModule.forRoot({ ...config.database, name: 'orders', entities: [Order], synchronize: true }),
    OutboxModule.forRoot({ dataSource: getDataSourceToken('orders'), ensureSchema: true, events: [OrderPlaced] }),
    DiscoveryModule.forRoot({}),
    TerminusModule,
    // GET /metrics: Prometheus text of the registry every Tributary lib registers on.
    TributaryMetricsModule.register(),
  ],
  controllers: [OrdersController],
  providers: [OrdersService],
  exports: [OrdersService],
})
export class OrdersModule {}
