import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DiscoveryModule, TributaryService } from '@tributary/discovery';
import { KafkaModule, TributaryMetricsModule } from '@tributary/kafka';
import { projectionsMigrations, ProjectionsModule } from '@tributary/projections';
import { RpcModule } from '@tributary/rpc';
import { serviceDatabase } from '../../shared/database-options';
import { InventoryController } from './inventory.controller';
import { InventoryEnvironment, inventorySettings, validateInventoryEnvironment } from './inventory-environment';
import { CreateReservedStock1764300000000 } from './migrations/1764300000000-create-reserved-stock.migration';
import { ReservedStock } from './reserved-stock.entity';
import { ReservedStockProjection } from './reserved-stock.projection';
import { StockRpcHandler } from './stock.rpc-handler';

type Env = ConfigService<InventoryEnvironment, true>;

/** The inventory service: a replica of orders' events in its own database, served over RPC. */
@TributaryService({ name: 'inventory', version: '1.0.0' })
@Module({
  imports: [
    // Checks the environment when the module is loaded: a bad value stops the start, naming the variable.
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateInventoryEnvironment }),
    KafkaModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (env: Env) => ({ brokers: inventorySettings(env).brokers, serviceName: 'inventory' }),
    }),
    TypeOrmModule.forRootAsync({
      name: 'inventory',
      inject: [ConfigService],
      useFactory: (env: Env) => ({
        ...serviceDatabase('inventory', inventorySettings(env).databaseUrl),
        name: 'inventory',
        entities: [ReservedStock],
        // The read model's table, then the projections' inbox and checkpoints (shipped by the lib).
        migrations: [CreateReservedStock1764300000000, ...projectionsMigrations()],
        migrationsTableName: 'inventory_migrations',
        migrationsRun: true,
        synchronize: false,
      }),
    }),
    ProjectionsModule.forRoot({ dataSourceToken: getDataSourceToken('inventory'), createTables: false }),
    RpcModule.forRoot({}),
    DiscoveryModule.forRoot({}),
    TerminusModule,
    // Work arrives over Kafka (projection, RPC); HTTP serves health and GET /metrics.
    TributaryMetricsModule.register(),
  ],
  controllers: [InventoryController],
  providers: [ReservedStockProjection, StockRpcHandler],
})
export class InventoryModule {}
