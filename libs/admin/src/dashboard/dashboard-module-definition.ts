import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { createDashboardController } from './dashboard.controller';
import { DEFAULT_DASHBOARD_PATH } from './dashboard.constants';
import { DASHBOARD_SETTINGS, resolveDashboardSettings } from './dashboard-settings';
import type { TributaryDashboardExtras, TributaryDashboardOptions } from './interfaces/dashboard-options.interface';

/** Injection token of the options given to `TributaryDashboardModule.forRoot` (without `path` and `guard`). */
export const TRIBUTARY_DASHBOARD_OPTIONS = Symbol('TRIBUTARY_DASHBOARD_OPTIONS');

export const {
  ConfigurableModuleClass: TributaryDashboardConfigurableModuleClass,
  OPTIONS_TYPE: TRIBUTARY_DASHBOARD_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TRIBUTARY_DASHBOARD_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TributaryDashboardOptions>({ optionsInjectionToken: TRIBUTARY_DASHBOARD_OPTIONS })
  .setClassMethodName('forRoot')
  // The route and the guard are decorator arguments of the controller, so they are fixed when the module is defined.
  .setExtras<TributaryDashboardExtras>({ path: DEFAULT_DASHBOARD_PATH, guard: undefined }, (definition, extras): DynamicModule => {
    const hasGuard = extras.guard !== undefined;
    return {
      ...definition,
      controllers: [...(definition.controllers ?? []), createDashboardController(extras.path ?? DEFAULT_DASHBOARD_PATH, extras.guard)],
      providers: [
        ...(definition.providers ?? []),
        {
          provide: DASHBOARD_SETTINGS,
          inject: [TRIBUTARY_DASHBOARD_OPTIONS],
          useFactory: (options: TributaryDashboardOptions) => resolveDashboardSettings(options, hasGuard),
        },
      ],
    };
  })
  .build();
