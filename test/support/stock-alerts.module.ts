import { Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KafkaModule } from '@tributary/kafka';
import { On, Projection, ProjectionsModule } from '@tributary/projections';
import { InjectRpcClient, RpcModule, type RpcClient } from '@tributary/rpc';
import { OrderPlaced } from '../../apps/inventory/src/order-placed.event';
import { GetStockLevel, type StockLevel } from '../../apps/shared/inventory.contracts';

const STOCK_ALERTS_OPTIONS = Symbol('STOCK_ALERTS_OPTIONS');

export interface StockAlertsOptions {
  brokers: string[];
  /** SQLite file of the service's checkpoints and inbox. */
  databasePath: string;
  /** Unique per test run: a fresh consumer group. */
  projectionName: string;
  /** Only orders of this SKU are looked at (the topic also holds other runs' orders). */
  sku: string;
}

/**
 * A service whose projection calls another service while it applies an event: for each order of
 * the watched SKU it asks inventory (RPC) for the stock level. The trace test needs that chain —
 * a CONSUMER span with an RPC CLIENT child — which the sample services do not have.
 */
@Module({})
export class StockAlertsModule {
  static register(options: StockAlertsOptions): DynamicModule {
    @Injectable()
    @Projection({ name: options.projectionName, tables: [] })
    class StockAlertsProjection {
      readonly levels: StockLevel[] = [];

      constructor(
        @InjectRpcClient('inventory') private readonly inventory: RpcClient,
        @Inject(STOCK_ALERTS_OPTIONS) private readonly settings: StockAlertsOptions,
      ) {}

      @On(OrderPlaced)
      async onOrderPlaced(event: OrderPlaced): Promise<void> {
        if (event.sku !== this.settings.sku) return;
        this.levels.push(await this.inventory.call(GetStockLevel, { sku: event.sku }, { timeout: 10_000 }));
      }
    }

    return {
      module: StockAlertsModule,
      imports: [
        KafkaModule.forRoot({ brokers: options.brokers, serviceName: 'stock-alerts', logLevel: 'nothing' }),
        TypeOrmModule.forRoot({ type: 'better-sqlite3', database: options.databasePath }),
        ProjectionsModule.forRoot({}),
        RpcModule.forRoot({ clients: ['inventory'] }),
      ],
      providers: [{ provide: STOCK_ALERTS_OPTIONS, useValue: options }, StockAlertsProjection],
      exports: [StockAlertsProjection],
    };
  }
}
