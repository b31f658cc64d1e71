import { Module } from '@nestjs/common';
import { DiscoveryModule as NestDiscoveryModule } from '@nestjs/core';
import { DiscoveryClient } from './discovery.client';
import { DiscoveryConfigurableModuleClass } from './discovery-module-definition';
import { HandlerExplorer } from './explorer/handler-explorer';
import { DiscoverySettings } from './registry/discovery-settings';
import { ServiceRegistry } from './registry/service-registry';

/**
 * Registers this instance in the service registry and keeps the registry in memory.
 * Needs `KafkaModule`. Global by default.
 *
 * ```ts
 * DiscoveryModule.forRoot({ heartbeatIntervalMs: 5000 })
 * ```
 */
@Module({
  imports: [NestDiscoveryModule],
  providers: [DiscoverySettings, DiscoveryClient, ServiceRegistry, HandlerExplorer],
  exports: [DiscoverySettings, DiscoveryClient, ServiceRegistry, HandlerExplorer],
})
export class DiscoveryModule extends DiscoveryConfigurableModuleClass {}
