import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ProjectionsHealthIndicator } from './health/projections.health';
import { ProjectionMetrics } from './observability/projection-metrics';
import { ProjectionsConfigurableModuleClass } from './projections-module-definition';
import { ProjectionsExplorer } from './projections.explorer';
import { ProjectionsService } from './projections.service';

/**
 * Replicated projections: applies `@Projection` classes' `@On` handlers to local tables exactly
 * once in effect. Needs `KafkaModule` (global) and a TypeORM DataSource.
 *
 * ```ts
 * ProjectionsModule.forRoot({ failurePolicy: ProjectionFailurePolicy.DeadLetter })
 * ProjectionsModule.forRootAsync({ useFactory: (ds: DataSource) => ({ dataSource: ds }), inject: [DataSource] })
 * ```
 */
@Module({
  imports: [DiscoveryModule],
  providers: [ProjectionsExplorer, ProjectionsService, ProjectionsHealthIndicator, ProjectionMetrics],
  exports: [ProjectionsService, ProjectionsHealthIndicator],
})
export class ProjectionsModule extends ProjectionsConfigurableModuleClass {}
