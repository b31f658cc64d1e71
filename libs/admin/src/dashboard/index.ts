export * from './tributary-dashboard.module';
export { TRIBUTARY_DASHBOARD_OPTIONS } from './dashboard-module-definition';
export * from './interfaces/dashboard-options.interface';
export { DashboardConfigurationException } from './exceptions/dashboard-configuration.exception';
export { DASHBOARD_CSRF_HEADER } from './dashboard.constants';
export type { DashboardJob } from './dashboard-jobs.service';
export type { DashboardSnapshot, DashboardSection } from './dashboard-state.service';
