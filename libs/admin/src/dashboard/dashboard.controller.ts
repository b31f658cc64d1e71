import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Header,
  Headers,
  HttpCode,
  HttpException,
  Inject,
  InternalServerErrorException,
  Param,
  Post,
  Query,
  Req,
  Res,
  Sse,
  UseGuards,
  type CanActivate,
  type MessageEvent,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { map, merge, takeUntil, type Observable } from 'rxjs';
import type { AdminActionResult, AdminActor } from '../interfaces/admin-action.interface';
import type { AdminDeadLetter } from '../interfaces/admin-dead-letter.interface';
import type { AdminDeadRow } from '../interfaces/admin-outbox.interface';
import { TributaryAdmin } from '../tributary-admin.service';
import { DASHBOARD_PAGE_HEADERS, renderDashboardPage } from './assets/dashboard-page.asset';
import { DASHBOARD_SCRIPT } from './assets/dashboard-script.asset';
import { DASHBOARD_STYLE } from './assets/dashboard-style.asset';
import { DASHBOARD_ACTOR_NAME } from './dashboard.constants';
import { DashboardJobs, type DashboardJob } from './dashboard-jobs.service';
import {
  parseDeadLetterFilter,
  parseDeadLetterSelection,
  parseDeadRowFilter,
  parseDeadRowSelection,
} from './dashboard-request.parser';
import { DASHBOARD_SETTINGS, normalizeDashboardPath, type DashboardSettings } from './dashboard-settings';
import { DashboardState, type DashboardSnapshot } from './dashboard-state.service';
import { DashboardBasicAuthGuard } from './guards/dashboard-basic-auth.guard';
import { parseBasicAuth } from './guards/dashboard-basic-auth';
import { csrfCookie, csrfTokenFromCookie, newCsrfToken } from './guards/dashboard-csrf';
import { DashboardCsrfGuard } from './guards/dashboard-csrf.guard';

/**
 * The dashboard's routes under `path`: the page, its two assets, and a JSON/SSE API. Thin: the
 * work happens in `TributaryAdmin`. A class per module definition, because the route and the
 * user's guard are decorator arguments.
 */
export function createDashboardController(path: string, guard?: Type<CanActivate> | CanActivate): Type<unknown> {
  const route = normalizeDashboardPath(path);
  const lastSegment = route.split('/').pop()!;
  const guards = guard ? [DashboardBasicAuthGuard, guard] : [DashboardBasicAuthGuard];

  @Controller(route)
  @UseGuards(...guards)
  class TributaryDashboardController {
    constructor(
      private readonly admin: TributaryAdmin,
      private readonly state: DashboardState,
      private readonly jobs: DashboardJobs,
      @Inject(DASHBOARD_SETTINGS) private readonly settings: DashboardSettings,
      private readonly adapterHost: HttpAdapterHost,
    ) {}

    @Get()
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Cache-Control', 'no-store')
    @Header('Content-Security-Policy', DASHBOARD_PAGE_HEADERS.contentSecurityPolicy)
    @Header('X-Content-Type-Options', 'nosniff')
    @Header('X-Frame-Options', 'DENY')
    @Header('Referrer-Policy', 'no-referrer')
    page(@Req() request: unknown, @Res({ passthrough: true }) response: unknown, @Headers('cookie') cookie?: string): string {
      const adapter = this.adapterHost.httpAdapter;
      // The URL as the client sent it (global prefix included), so links and the cookie fit any mount point.
      const pathname = String(adapter.getRequestUrl(request) ?? '').split('?')[0];
      const token = csrfTokenFromCookie(cookie) ?? newCsrfToken();
      adapter.setHeader(response, 'Set-Cookie', csrfCookie(token, pathname.replace(/\/+$/, '') || '/'));
      return renderDashboardPage({
        title: this.settings.title,
        base: pathname.endsWith('/') ? './' : `${lastSegment}/`,
        csrfToken: token,
        refreshIntervalMs: this.settings.refreshIntervalMs,
        showPayloads: this.settings.showPayloads,
      });
    }

    @Get('assets/dashboard.js')
    @Header('Content-Type', 'text/javascript; charset=utf-8')
    @Header('Cache-Control', 'no-cache')
    @Header('X-Content-Type-Options', 'nosniff')
    script(): string {
      return DASHBOARD_SCRIPT;
    }

    @Get('assets/dashboard.css')
    @Header('Content-Type', 'text/css; charset=utf-8')
    @Header('Cache-Control', 'no-cache')
    @Header('X-Content-Type-Options', 'nosniff')
    style(): string {
      return DASHBOARD_STYLE;
    }

    /** Everything the page shows (the first paint, the polling fallback; `?fresh=1` after an action). */
    @Get('api/state')
    @Header('Cache-Control', 'no-store')
    snapshot(@Query('fresh') fresh?: string): Promise<DashboardSnapshot> {
      return this.state.snapshot(fresh === '1');
    }

    /** Live updates: `state` events every refresh interval, `job` events as long work moves. */
    @Sse('api/events')
    events(): Observable<MessageEvent> {
      return merge(
        this.state.snapshots$.pipe(map((data): MessageEvent => ({ type: 'state', data }))),
        this.jobs.changes$.pipe(map((data): MessageEvent => ({ type: 'job', data }))),
      ).pipe(takeUntil(this.state.closing$));
    }

    @Get('api/jobs')
    @Header('Cache-Control', 'no-store')
    jobList(): DashboardJob[] {
      return this.jobs.list();
    }

    /** Dead outbox rows, filtered by `type`, `key`, `error`, `limit`. */
    @Get('api/outbox/dead-rows')
    @Header('Cache-Control', 'no-store')
    async deadRows(@Query() query: Record<string, unknown>): Promise<AdminDeadRow[]> {
      const filter = { ...parseDeadRowFilter(query), showPayloads: this.settings.showPayloads };
      const rows = await this.call(() => this.admin.deadOutboxRows(filter));
      return rows.map((r) => this.state.redact(r));
    }

    /** Dead letters, filtered by `topic`, `projection`, `reason`, `error`, `type`, `limit`. */
    @Get('api/dead-letters')
    @Header('Cache-Control', 'no-store')
    async deadLetters(@Query() query: Record<string, unknown>): Promise<AdminDeadLetter[]> {
      const filter = { ...parseDeadLetterFilter(query), showPayloads: this.settings.showPayloads };
      const letters = await this.call(() => this.admin.deadLetters(filter));
      return letters.map((l) => this.state.redact(l));
    }

    @Post('api/outbox/dead-rows/requeue')
    @HttpCode(200)
    @UseGuards(DashboardCsrfGuard)
    requeueDeadRows(@Body() body: unknown, @Headers('authorization') authorization?: string): Promise<AdminActionResult> {
      const selection = parseDeadRowSelection(body);
      return this.act(() => this.admin.requeueDeadOutboxRows(selection, this.actor(authorization)));
    }

    @Post('api/outbox/dead-rows/purge')
    @HttpCode(200)
    @UseGuards(DashboardCsrfGuard)
    purgeDeadRows(@Body() body: unknown, @Headers('authorization') authorization?: string): Promise<AdminActionResult> {
      const selection = parseDeadRowSelection(body);
      return this.act(() => this.admin.purgeDeadOutboxRows(selection, this.actor(authorization)));
    }

    @Post('api/projections/:name/rebuild')
    @HttpCode(202)
    @UseGuards(DashboardCsrfGuard)
    async rebuild(@Param('name') name: string, @Headers('authorization') authorization?: string): Promise<DashboardJob> {
      const actor = this.actor(authorization);
      const progress$ = await this.call(() => this.admin.rebuildProjection(name, actor));
      const job = this.jobs.start('rebuild', `rebuild ${name}`, actor.name, progress$);
      this.state.refresh();
      return job;
    }

    @Post('api/dead-letters/replay')
    @HttpCode(202)
    @UseGuards(DashboardCsrfGuard)
    replay(@Body() body: unknown, @Headers('authorization') authorization?: string): DashboardJob {
      const selection = parseDeadLetterSelection(body);
      const actor = this.actor(authorization);
      const progress$ = this.callSync(() => this.admin.replayDeadLetters(selection, actor));
      const what = selection === 'all' ? 'all dead letters' : 'ids' in selection ? `${selection.ids.length} dead letter(s)` : 'filtered dead letters';
      const job = this.jobs.start('replay', `replay ${what}`, actor.name, progress$);
      this.state.refresh();
      return job;
    }

    @Post('api/dead-letters/archive')
    @HttpCode(200)
    @UseGuards(DashboardCsrfGuard)
    archive(@Body() body: unknown, @Headers('authorization') authorization?: string): Promise<AdminActionResult> {
      const selection = parseDeadLetterSelection(body);
      return this.act(() => this.admin.archiveDeadLetters(selection, this.actor(authorization)));
    }

    private actor(authorization: string | undefined): AdminActor {
      const user = this.settings.basicAuth ? parseBasicAuth(authorization)?.username : undefined;
      return { name: user || DASHBOARD_ACTOR_NAME, via: 'dashboard' };
    }

    private async act(action: () => Promise<AdminActionResult>): Promise<AdminActionResult> {
      const result = await this.call(action);
      this.state.refresh();
      return result;
    }

    private async call<T>(work: () => Promise<T>): Promise<T> {
      try {
        return await work();
      } catch (e) {
        throw toHttpException(e);
      }
    }

    private callSync<T>(work: () => T): T {
      try {
        return work();
      } catch (e) {
        throw toHttpException(e);
      }
    }
  }
  return TributaryDashboardController;
}

/** The admin layer's typed exceptions say what to fix: pass them on as 400; anything else is a 500 with its message. */
function toHttpException(e: unknown): HttpException {
  if (e instanceof HttpException) return e;
  const message = e instanceof Error ? e.message : String(e);
  const typed = e instanceof Error && e.constructor !== Error && /Exception$/.test(e.constructor.name);
  return typed ? new BadRequestException(message) : new InternalServerErrorException(message);
}
