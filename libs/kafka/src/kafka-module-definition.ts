import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { KafkaModuleOptions } from './interfaces/kafka-module-options.interface';

export const {
  ConfigurableModuleClass: KafkaConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: KAFKA_MODULE_OPTIONS,
  OPTIONS_TYPE: KAFKA_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: KAFKA_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<KafkaModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
