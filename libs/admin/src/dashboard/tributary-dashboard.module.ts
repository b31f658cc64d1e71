import { Module } from '@nestjs/common';
import { DashboardJobs } from './dashboard-jobs.service';
import { TributaryDashboardConfigurableModuleClass } from './dashboard-module-definition';
import { DashboardState } from './dashboard-state.service';
import { DashboardBasicAuthGuard } from './guards/dashboard-basic-auth.guard';
import { DashboardCsrfGuard } from './guards/dashboard-csrf.guard';

/**
 * An operator page mounted in your own HTTP app (Express or Fastify): services and instances,
 * topology, outbox backlog and dead rows, projection lag and rebuilds, dead letters and replay,
 * updated live. Off unless imported; needs `TributaryAdminModule` (global by default).
 *
 * ```ts
 * TributaryDashboardModule.forRoot({
 *   path: '/tributary',
 *   basicAuth: { username: 'ops', password: process.env.DASHBOARD_PASSWORD! },
 * })
 * ```
 */
@Module({
  providers: [DashboardState, DashboardJobs, DashboardBasicAuthGuard, DashboardCsrfGuard],
})
export class TributaryDashboardModule extends TributaryDashboardConfigurableModuleClass {}
