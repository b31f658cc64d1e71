import { ConfigurableModuleBuilder, type Provider, type Type } from '@nestjs/common';
import type { DynamicConfigModuleOptions } from './interfaces/dynamic-config-module-options.interface';
import { configHandleProviders } from './config-handle.providers';
import { DYNAMIC_CONFIG_MODULE_OPTIONS } from './dynamic-config.constants';

/** Module extras: known when the module is defined, so `forRootAsync` gets them too. */
export interface DynamicConfigModuleExtras {
  /** Make the module (and the handles of `configs`) global. @default true */
  isGlobal: boolean;
  /** `@DynamicConfig` classes read by this app; each becomes injectable with `@InjectConfig`. @default [] */
  configs: Type<object>[];
}

// The options token lives in the constants: the service must not import this file, which imports the service.
export const {
  ConfigurableModuleClass: DynamicConfigConfigurableModuleClass,
  OPTIONS_TYPE: DYNAMIC_CONFIG_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: DYNAMIC_CONFIG_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DynamicConfigModuleOptions>({ optionsInjectionToken: DYNAMIC_CONFIG_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  .setExtras<DynamicConfigModuleExtras>({ isGlobal: true, configs: [] }, (definition, extras) => {
    const handles: Provider[] = configHandleProviders(extras.configs ?? []);
    return {
      ...definition,
      global: extras.isGlobal,
      providers: [...(definition.providers ?? []), ...handles],
      exports: [...(definition.exports ?? []), ...handles.map((p) => (p as { provide: symbol }).provide)],
    };
  })
  .build();
