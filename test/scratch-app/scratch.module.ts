import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@tributary/kafka';
import { OutboxModule } from '@tributary/outbox';
import { ProjectionsModule } from '@tributary/projections';
import { RpcModule } from '@tributary/rpc';
import { DataSource } from 'typeorm';
import { OrderLookup } from './order-lookup.service';
import { OrderPlaced } from './order-placed.event';
import { OrderQueriesHandler } from './order-queries.rpc-handler';
import { OrderViewProjection } from './order-view.projection';
import { names } from './scratch-names';

/** Outbox, projection and RPC in one app, on a DataSource the app opened itself (no @nestjs/typeorm). */
@Module({})
export class ScratchModule {
  static forDataSource(dataSource: DataSource): DynamicModule {
    return {
      module: ScratchModule,
      imports: [
        KafkaModule.forRoot({ brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', serviceName: names.service }),
        OutboxModule.forRoot({ dataSource, tableName: names.outbox, ensureSchema: true, lanes: 4, events: [OrderPlaced] }),
        ProjectionsModule.forRoot({ dataSource, tables: { checkpoints: names.checkpoints, inbox: names.inbox } }),
        RpcModule.forRoot({ clients: [names.service] }),
      ],
      providers: [{ provide: DataSource, useValue: dataSource }, OrderViewProjection, OrderQueriesHandler, OrderLookup],
    };
  }
}
