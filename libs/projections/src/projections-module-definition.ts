import { ConfigurableModuleBuilder, type InjectionToken } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProjectionsModuleOptions } from './interfaces/projections-module-options.interface';
import { PROJECTIONS_DATA_SOURCE_TOKEN } from './projections.constants';

/** Extras of `ProjectionsModule.forRoot` / `forRootAsync`, besides the options. */
export interface ProjectionsModuleExtras {
  /** Make `ProjectionsService` and the health indicator injectable everywhere. @default false */
  isGlobal?: boolean;
  /** Token under which the app provides its TypeORM DataSource (ignored when `options.dataSource` is set). @default DataSource */
  dataSourceToken?: InjectionToken;
}

export const {
  ConfigurableModuleClass: ProjectionsConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: PROJECTIONS_MODULE_OPTIONS,
  OPTIONS_TYPE: PROJECTIONS_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: PROJECTIONS_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ProjectionsModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<ProjectionsModuleExtras>({ isGlobal: false, dataSourceToken: DataSource }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    providers: [...(definition.providers ?? []), { provide: PROJECTIONS_DATA_SOURCE_TOKEN, useValue: extras.dataSourceToken ?? DataSource }],
  }))
  .build();
