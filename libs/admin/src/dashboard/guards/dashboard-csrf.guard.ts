import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DASHBOARD_CSRF_HEADER } from '../dashboard.constants';
import { csrfTokenFromCookie, csrfTokensMatch } from './dashboard-csrf';

/**
 * Double-submit check of a dashboard action: the token of the page (sent in the
 * `X-Tributary-CSRF` header) must equal the session's HttpOnly cookie. A cross-site form cannot
 * set the header, and another origin cannot read the token.
 */
@Injectable()
export class DashboardCsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const headers = (context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers ?? {});
    const sent = headers[DASHBOARD_CSRF_HEADER];
    if (!csrfTokensMatch(csrfTokenFromCookie(headers.cookie), Array.isArray(sent) ? sent[0] : sent)) {
      throw new ForbiddenException(`missing or wrong CSRF token: send the page's token in the ${DASHBOARD_CSRF_HEADER} header (reload the dashboard page)`);
    }
    return true;
  }
}
