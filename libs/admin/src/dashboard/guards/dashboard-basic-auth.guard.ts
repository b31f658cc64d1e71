import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DASHBOARD_SETTINGS, type DashboardSettings } from '../dashboard-settings';
import { basicAuthMatches } from './dashboard-basic-auth';

/** Asks for the dashboard's basic-auth credentials (when configured) on every route of the dashboard. */
@Injectable()
export class DashboardBasicAuthGuard implements CanActivate {
  constructor(
    @Inject(DASHBOARD_SETTINGS) private readonly settings: DashboardSettings,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const auth = this.settings.basicAuth;
    if (!auth) return true;
    const http = context.switchToHttp();
    const { headers } = http.getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    if (basicAuthMatches(auth, headers?.authorization)) return true;
    // Through the adapter so Express and Fastify both send it with the 401.
    this.adapterHost.httpAdapter.setHeader(http.getResponse(), 'WWW-Authenticate', `Basic realm="${auth.realm.replace(/"/g, '')}", charset="UTF-8"`);
    throw new UnauthorizedException('the Tributary dashboard needs its basic-auth user name and password');
  }
}
