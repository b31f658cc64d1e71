export * from './tributary-admin.module';
export { TRIBUTARY_ADMIN_OPTIONS } from './admin-module-definition';
export * from './tributary-admin.service';
export * from './interfaces';
export { renderTopology } from './topology/render-topology';
