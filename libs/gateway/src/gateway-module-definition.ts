import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { GATEWAY_MODULE_OPTIONS, GATEWAY_ROUTE_TABLE, GATEWAY_SETTINGS } from './gateway.constants';
import { resolveGatewaySettings } from './gateway-settings';
import type { GatewayModuleExtras, GatewayModuleOptions } from './interfaces/gateway-module-options.interface';
import { createGatewayController } from './routing/gateway-controller.factory';
import { resolveGatewayRoutes } from './routing/gateway-route-table';

export const {
  ConfigurableModuleClass: GatewayConfigurableModuleClass,
  OPTIONS_TYPE: GATEWAY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: GATEWAY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<GatewayModuleOptions>({ optionsInjectionToken: GATEWAY_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  // Routes are controller metadata, so the table is fixed (and checked) when the module is defined.
  .setExtras<GatewayModuleExtras>({ routes: [], routeClasses: [] }, (definition, extras): DynamicModule => {
    const routes = resolveGatewayRoutes(extras);
    return {
      ...definition,
      controllers: [...(definition.controllers ?? []), createGatewayController(routes)],
      providers: [
        ...(definition.providers ?? []),
        { provide: GATEWAY_ROUTE_TABLE, useValue: routes },
        { provide: GATEWAY_SETTINGS, inject: [GATEWAY_MODULE_OPTIONS], useFactory: (options: GatewayModuleOptions) => resolveGatewaySettings(options) },
      ],
    };
  })
  .build();
