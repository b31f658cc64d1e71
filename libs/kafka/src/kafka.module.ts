import { Module } from '@nestjs/common';
import { KafkaHealthIndicator } from './health/kafka.health';
import { KafkaClient } from './kafka.client';
import { KafkaConfigurableModuleClass } from './kafka-module-definition';
import { KAFKA_CLIENT } from './kafka.constants';
import { ServiceTopology } from './topology/service-topology';

/**
 * One Kafka client per app. Global by default (`isGlobal: false` to scope it).
 *
 * ```ts
 * KafkaModule.forRoot({ brokers: process.env.KAFKA_BROKERS!, serviceName: 'orders' })
 * ```
 */
@Module({
  providers: [
    KafkaClient,
    KafkaHealthIndicator,
    ServiceTopology,
    { provide: KAFKA_CLIENT, useFactory: (client: KafkaClient) => client.kafka, inject: [KafkaClient] },
  ],
  exports: [KafkaClient, KafkaHealthIndicator, ServiceTopology, KAFKA_CLIENT],
})
export class KafkaModule extends KafkaConfigurableModuleClass {}
