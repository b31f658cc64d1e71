import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { DiscoveryModuleOptions } from './interfaces/discovery-module-options.interface';

export const {
  ConfigurableModuleClass: DiscoveryConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: DISCOVERY_MODULE_OPTIONS,
  OPTIONS_TYPE: DISCOVERY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: DISCOVERY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DiscoveryModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
