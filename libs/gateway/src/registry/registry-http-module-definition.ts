import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import type { RegistryHttpModuleExtras, RegistryHttpModuleOptions } from '../interfaces/registry-http-options.interface';
import { createRegistryHttpController } from './registry-http.controller';
import { normalizeRegistryPath, REGISTRY_HTTP_MODULE_OPTIONS, REGISTRY_HTTP_SETTINGS, resolveRegistryHttpSettings } from './registry-http-settings';

export const {
  ConfigurableModuleClass: RegistryHttpConfigurableModuleClass,
  OPTIONS_TYPE: REGISTRY_HTTP_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: REGISTRY_HTTP_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RegistryHttpModuleOptions>({ optionsInjectionToken: REGISTRY_HTTP_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  .setExtras<RegistryHttpModuleExtras>({ path: 'registry', guards: [] }, (definition, extras): DynamicModule => ({
    ...definition,
    controllers: [...(definition.controllers ?? []), createRegistryHttpController(normalizeRegistryPath(extras.path ?? 'registry'), extras.guards ?? [])],
    providers: [
      ...(definition.providers ?? []),
      { provide: REGISTRY_HTTP_SETTINGS, inject: [REGISTRY_HTTP_MODULE_OPTIONS], useFactory: (o: RegistryHttpModuleOptions) => resolveRegistryHttpSettings(o) },
    ],
  }))
  .build();
