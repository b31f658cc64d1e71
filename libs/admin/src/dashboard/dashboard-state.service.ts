import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { defer, exhaustMap, merge, shareReplay, Subject, timer, type Observable } from 'rxjs';
import type { AdminDeadLetter } from '../interfaces/admin-dead-letter.interface';
import type { AdminDeadRow, AdminOutboxStatus } from '../interfaces/admin-outbox.interface';
import type { AdminProjectionStatus } from '../interfaces/admin-projection.interface';
import type { AdminServiceSummary } from '../interfaces/admin-service.interface';
import type { AdminTopology } from '../interfaces/admin-topology.interface';
import { TributaryAdmin } from '../tributary-admin.service';
import { DashboardJobs, type DashboardJob } from './dashboard-jobs.service';
import { DASHBOARD_SETTINGS, type DashboardSettings } from './dashboard-settings';

/** One part of the page: its data, or why it could not be read (the other parts still show). */
export type DashboardSection<T> = { data: T; error?: undefined } | { data?: undefined; error: string };

/** Everything the page shows, read in one go. */
export interface DashboardSnapshot {
  /** ISO time of the read. */
  at: string;
  services: DashboardSection<AdminServiceSummary[]>;
  topology: DashboardSection<AdminTopology>;
  /** `status` null: the app has no outbox. */
  outbox: DashboardSection<{ status: AdminOutboxStatus | null; deadRows: AdminDeadRow[] }>;
  projections: DashboardSection<AdminProjectionStatus[]>;
  deadLetters: DashboardSection<{ topics: string[]; letters: AdminDeadLetter[] }>;
  jobs: DashboardJob[];
}

/** Reads the page's data from the admin layer; one shared refresh loop for every open page. */
@Injectable()
export class DashboardState implements OnModuleDestroy {
  private readonly refreshRequests = new Subject<void>();
  private readonly closing = new Subject<void>();

  /** Emits once when the app shuts down: open SSE responses end, so the HTTP server can close. */
  readonly closing$: Observable<void> = this.closing.asObservable();

  /**
   * A snapshot now and every `refreshIntervalMs` while someone listens (shared by all SSE
   * clients; a slow read delays the next one instead of piling up).
   */
  readonly snapshots$: Observable<DashboardSnapshot>;

  constructor(
    private readonly admin: TributaryAdmin,
    private readonly jobs: DashboardJobs,
    @Inject(DASHBOARD_SETTINGS) private readonly settings: DashboardSettings,
  ) {
    this.snapshots$ = merge(timer(0, settings.refreshIntervalMs), this.refreshRequests).pipe(
      exhaustMap(() => defer(() => this.snapshot())),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
  }

  onModuleDestroy(): void {
    this.closing.next();
    this.closing.complete();
  }

  /** Ask the shared loop for a fresh read (after an action). */
  refresh(): void {
    this.refreshRequests.next();
  }

  async snapshot(): Promise<DashboardSnapshot> {
    const limit = this.settings.listLimit;
    const showPayloads = this.settings.showPayloads;
    const [services, topology, outbox, projections, deadLetters] = await Promise.all([
      section(() => this.admin.services()),
      section(() => this.admin.topology()),
      section(async () => {
        const status = await this.admin.outboxStatus();
        const deadRows = status && status.dead > 0 ? await this.admin.deadOutboxRows({ limit, showPayloads }) : [];
        return { status, deadRows: deadRows.map((r) => this.redact(r)) };
      }),
      section(() => this.admin.projections()),
      section(async () => {
        const topics = await this.admin.deadLetterTopics();
        const letters = topics.length > 0 ? await this.admin.deadLetters({ limit, showPayloads }) : [];
        return { topics, letters: letters.map((l) => this.redact(l)) };
      }),
    ]);
    return { at: new Date().toISOString(), services, topology, outbox, projections, deadLetters, jobs: this.jobs.list() };
  }

  /** Payloads and headers stay on the server unless the dashboard shows them (whatever the admin layer allows). */
  redact<T extends { payload?: string; headers?: Record<string, string> }>(item: T): T {
    if (this.settings.showPayloads) return item;
    const { payload: _payload, headers: _headers, ...rest } = item;
    return rest as T;
  }
}

async function section<T>(read: () => Promise<T>): Promise<DashboardSection<T>> {
  try {
    return { data: await read() };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
