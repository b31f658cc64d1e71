import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DynamicConfigModule } from '@tributary/config';
import { DiscoveryModule, TributaryService } from '@tributary/discovery';
import { KafkaModule, TributaryMetricsModule } from '@tributary/kafka';
import { createOutboxMigration, OutboxModule } from '@tributary/outbox';
import { RpcModule } from '@tributary/rpc';
import { serviceDatabase } from '../../shared/database-options';
import { ConfigLimitsController } from './config/config-limits.controller';
import { OrderLimits } from './config/order-limits.config';
import { CreateOrders1764300000000 } from './migrations/1764300000000-create-orders.migration';
import { OrderPlaced } from './order-placed.event';
import { Order } from './order.entity';
import { OrdersController } from './orders.controller';
import { OrdersRpcHandler } from './orders.rpc-handler';
import { OrdersService } from './orders.service';
import { OrdersEnvironment, ordersSettings, validateOrdersEnvironment } from './orders-environment';

type Env = ConfigService<OrdersEnvironment, true>;

/**
 * The orders service: owns orders and publishes OrderPlaced through the transactional outbox;
 * its order size limit is a dynamic configuration entry.
 */
@TributaryService({ name: 'orders', version: '1.0.0' })
@Module({
  imports: [
    // Checks the environment when the module is loaded: a bad value stops the start, naming the variable.
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateOrdersEnvironment }),
    KafkaModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (env: Env) => ({ brokers: ordersSettings(env).brokers, serviceName: 'orders' }),
    }),
    TypeOrmModule.forRootAsync({
      name: 'orders',
      inject: [ConfigService],
      useFactory: (env: Env) => ({
        ...serviceDatabase('orders', ordersSettings(env).databaseUrl),
        name: 'orders',
        entities: [Order],
        // The schema is versioned: the service's own table, then the outbox's (shipped by the lib).
        migrations: [CreateOrders1764300000000, createOutboxMigration()],
        migrationsTableName: 'orders_migrations',
        migrationsRun: true,
        synchronize: false,
      }),
    }),
    OutboxModule.forRoot({ dataSource: getDataSourceToken('orders'), events: [OrderPlaced] }),
    DynamicConfigModule.forRootAsync({
      configs: [OrderLimits],
      inject: [ConfigService],
      useFactory: (env: Env) => ({ topic: ordersSettings(env).configTopic }),
    }),
    // Serves orders.place / orders.get-limits / orders.set-limits to the gateway.
    RpcModule.forRoot({}),
    DiscoveryModule.forRoot({}),
    TerminusModule,
    // GET /metrics: Prometheus text of the registry every Tributary lib registers on.
    TributaryMetricsModule.register(),
  ],
  controllers: [OrdersController, ConfigLimitsController],
  providers: [OrdersService, OrdersRpcHandler],
  exports: [OrdersService],
})
export class OrdersModule {}
