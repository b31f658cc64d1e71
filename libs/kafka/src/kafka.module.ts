import { Module } from '@nestjs/common';
import { KafkaHealthIndicator } from './health/kafka.health';
import { KafkaClient } from './kafka.client';
import { KafkaConfigurableModuleClass } from './kafka-module-definition';
import { KAFKA_CLIENT } from './kafka.constants';
import { ServiceTopology } from './topology/service-topology';
import { TributaryMetrics } from './observability/tributary-metrics';

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
    TributaryMetrics,
    { provide: KAFKA_CLIENT, useFactory: (client: KafkaClient) => client.kafka, inject: [KafkaClient] },
  ],
  exports: [KafkaClient, KafkaHealthIndicator, ServiceTopology, TributaryMetrics, KAFKA_CLIENT],
})
export class KafkaModule extends KafkaConfigurableModuleClass {}
