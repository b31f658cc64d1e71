import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RpcModuleOptions } from './interfaces/rpc-module-options.interface';

export const {
  ConfigurableModuleClass: RpcConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: RPC_MODULE_OPTIONS,
  OPTIONS_TYPE: RPC_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: RPC_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RpcModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
