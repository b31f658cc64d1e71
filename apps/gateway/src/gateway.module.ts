import { Module } from '@nestjs/common';
import { DiscoveryModule, TributaryService } from '@tributary/discovery';
import { KafkaModule, TributaryMetricsModule } from '@tributary/kafka';
import { RpcModule } from '@tributary/rpc';
import { GatewayController } from './gateway.controller';

/** The edge: HTTP in, typed RPC to inventory, and the live service catalogue. */
@TributaryService({ name: 'gateway', version: '1.0.0' })
@Module({
  imports: [
    KafkaModule.forRoot({ brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', serviceName: 'gateway' }),
    RpcModule.forRoot({ clients: ['inventory'] }),
    DiscoveryModule.forRoot({}),
    TributaryMetricsModule.register(),
  ],
  controllers: [GatewayController],
})
export class GatewayModule {}
