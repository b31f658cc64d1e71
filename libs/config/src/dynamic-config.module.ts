import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { configHandleProviders } from './config-handle.providers';
import { DynamicConfigConfigurableModuleClass } from './dynamic-config-module-definition';
import { DynamicConfigService } from './dynamic-config.service';

/** Handles registered by `DynamicConfigModule.forFeature` (uses the root module's service). */
@Module({})
export class DynamicConfigFeatureModule {}

/**
 * Typed, validated configuration entries on a compacted Kafka topic, read at bootstrap and
 * followed live. Needs `KafkaModule`. Global by default.
 *
 * ```ts
 * DynamicConfigModule.forRoot({ configs: [OrderLimits] })
 * ```
 */
@Module({
  providers: [DynamicConfigService],
  exports: [DynamicConfigService],
})
export class DynamicConfigModule extends DynamicConfigConfigurableModuleClass {
  /** Make `@InjectConfig(X)` available in a feature module for more classes: `DynamicConfigModule.forFeature([PricingRules])`. */
  static forFeature(configs: Type<object>[]): DynamicModule {
    const providers = configHandleProviders(configs);
    return {
      module: DynamicConfigFeatureModule,
      providers,
      exports: providers.map((p) => (p as { provide: symbol }).provide),
    };
  }
}
