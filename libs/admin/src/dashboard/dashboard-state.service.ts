import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { defer, exhaustMap, filter, merge, shareReplay, Subject, timer, type Observable, type Subscription } from 'rxjs';
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

/** Dead letters are read from Kafka topics (a throwaway consumer group per read): at most this often unless forced. */
const DEAD_LETTERS_MAX_AGE_MS = 10_000;

/** Reads the page's data from the admin layer; one shared refresh loop for every open page. */
@Injectable()
export class DashboardState implements OnModuleDestroy {
  private readonly refreshRequests = new Subject<void>();
  private readonly closing = new Subject<void>();
  private readonly jobsFinished: Subscription;
  private deadLettersCache?: { at: number; section: DashboardSection<{ topics: string[]; letters: AdminDeadLetter[] }> };
  private deadLettersStale = true;

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
    // Finished work changes what is dead: read it again at once.
    this.jobsFinished = jobs.changes$.pipe(filter((j) => j.state !== 'running')).subscribe(() => this.refresh());
  }

  onModuleDestroy(): void {
    this.jobsFinished.unsubscribe();
    this.closing.next();
    this.closing.complete();
  }

  /** Ask the shared loop for a fresh read (after an action). */
  refresh(): void {
    this.deadLettersStale = true;
    this.refreshRequests.next();
  }

  /** Everything the page shows. `fresh` reads the dead letters again even when the last read is recent. */
  async snapshot(fresh = false): Promise<DashboardSnapshot> {
    const limit = this.settings.listLimit;
    const showPayloads = this.settings.showPayloads;
    const [services, topology, outbox, projections, deadLetters] = await Promise.all([
      sectionOf(() => this.admin.services()),
      sectionOf(() => this.admin.topology()),
      sectionOf(async () => {
        const status = await this.admin.outboxStatus();
        const deadRows = status && status.dead > 0 ? await this.admin.deadOutboxRows({ limit, showPayloads }) : [];
        return { status, deadRows: deadRows.map((r) => this.redact(r)) };
      }),
      sectionOf(() => this.admin.projections()),
      this.deadLetters(fresh),
    ]);
    return { at: new Date().toISOString(), services, topology, outbox, projections, deadLetters, jobs: this.jobs.list() };
  }

  private async deadLetters(fresh: boolean): Promise<DashboardSection<{ topics: string[]; letters: AdminDeadLetter[] }>> {
    const cached = this.deadLettersCache;
    if (!fresh && !this.deadLettersStale && cached && Date.now() - cached.at < Math.max(DEAD_LETTERS_MAX_AGE_MS, this.settings.refreshIntervalMs)) {
      return cached.section;
    }
    this.deadLettersStale = false;
    const section = await sectionOf(async () => {
      const topics = await this.admin.deadLetterTopics();
      const letters = topics.length > 0 ? await this.admin.deadLetters({ limit: this.settings.listLimit, showPayloads: this.settings.showPayloads }) : [];
      return { topics, letters: letters.map((l) => this.redact(l)) };
    });
    this.deadLettersCache = { at: Date.now(), section };
    return section;
  }

  /** Payloads and headers stay on the server unless the dashboard shows them (whatever the admin layer allows). */
  redact<T extends { payload?: string; headers?: Record<string, string> }>(item: T): T {
    if (this.settings.showPayloads) return item;
    const { payload: _payload, headers: _headers, ...rest } = item;
    return rest as T;
  }
}

async function sectionOf<T>(read: () => Promise<T>): Promise<DashboardSection<T>> {
  try {
    return { data: await read() };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
