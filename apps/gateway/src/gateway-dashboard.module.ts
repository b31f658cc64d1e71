import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TributaryAdminModule, TributaryDashboardModule } from '@tributary/admin';
import { GatewayEnvironment, gatewaySettings } from './gateway-environment';

/**
 * The operator dashboard at `/tributary` (services, topology, outbox and projection state, dead
 * letters), behind basic auth from DASHBOARD_USER / DASHBOARD_PASSWORD. The gateway mounts it only
 * when DASHBOARD_PASSWORD is set: a dashboard can purge and replay, so it never runs unguarded.
 */
@Module({
  imports: [
    TributaryAdminModule.forRoot({}),
    TributaryDashboardModule.forRootAsync({
      path: '/tributary',
      inject: [ConfigService],
      useFactory: (env: ConfigService<GatewayEnvironment, true>) => {
        const { dashboardUser, dashboardPassword } = gatewaySettings(env);
        return { title: 'Tributary sample stack', basicAuth: { username: dashboardUser, password: dashboardPassword! } };
      },
    }),
  ],
})
export class GatewayDashboardModule {}
