import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { TributaryAdminModuleOptions } from './interfaces/admin-module-options.interface';

export const {
  ConfigurableModuleClass: TributaryAdminConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: TRIBUTARY_ADMIN_OPTIONS,
  OPTIONS_TYPE: TRIBUTARY_ADMIN_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TRIBUTARY_ADMIN_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TributaryAdminModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
