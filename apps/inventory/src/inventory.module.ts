import { Module } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DiscoveryModule, TributaryService } from '@tributary/discovery';
import { KafkaModule, TributaryMetricsModule } from '@tributary/kafka';
import { ProjectionsModule } from '@tributary/projections';
import { RpcModule } from '@tributary/rpc';
import { inventoryConfig } from './config';
import { ReservedStock } from './reserved-stock.entity';
import { ReservedStockProjection } from './reserved-stock.projection';
import { StockRpcHandler } from './stock.rpc-handler';

const config = inventoryConfig();

/** The inventory service: a replica of orders' events in its own database, served over RPC. */
@TributaryService({ name: 'inventory', version: '1.0.0' })
@Module({
  imports: [
    KafkaModule.forRoot({ brokers: config.brokers, serviceName: 'inventory' }),
    TypeOrmModule.forRoot({ ...config.database, name: 'inventory', entities: [ReservedStock], synchronize: true }),
    ProjectionsModule.forRoot({ dataSourceToken: getDataSourceToken('inventory') }),
    RpcModule.forRoot({}),
    DiscoveryModule.forRoot({}),
    // An HTTP server only for GET /metrics: its work arrives over Kafka.
    TributaryMetricsModule.register(),
  ],
  providers: [ReservedStockProjection, StockRpcHandler],
})
export class InventoryModule {}
