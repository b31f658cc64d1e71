import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Subject, type Observable, type Subscription } from 'rxjs';
import type { AdminProgress } from '../interfaces/admin-action.interface';

/** Long work started from the dashboard (rebuild, replay), as the page shows it. */
export interface DashboardJob {
  id: string;
  kind: 'rebuild' | 'replay';
  /** What runs, e.g. `rebuild orders-view`. */
  label: string;
  /** Who started it. */
  actor: string;
  state: 'running' | 'done' | 'failed';
  /** The last progress emitted, null before the first. */
  progress: AdminProgress | null;
  error?: string;
  /** ISO times. */
  startedAt: string;
  finishedAt: string | null;
}

const KEEP_FINISHED = 20;

/**
 * Follows the progress Observables of the work this instance started, so every open page sees
 * them (SSE) and a page opened later still finds them. Progress of work started elsewhere comes
 * from the admin layer's own records (e.g. a projection's `rebuild`).
 */
@Injectable()
export class DashboardJobs implements OnModuleDestroy {
  private readonly logger = new Logger('TributaryDashboard');
  private readonly jobs = new Map<string, DashboardJob>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly updates = new Subject<DashboardJob>();

  /** Every change of a job (copies). */
  readonly changes$: Observable<DashboardJob> = this.updates.asObservable();

  /** Follow `progress$` as a new job; returns it at once. */
  start(kind: DashboardJob['kind'], label: string, actor: string, progress$: Observable<AdminProgress>): DashboardJob {
    const job: DashboardJob = {
      id: randomUUID(),
      kind,
      label,
      actor,
      state: 'running',
      progress: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.jobs.set(job.id, job);
    this.prune();
    this.publish(job);
    const subscription = progress$.subscribe({
      next: (progress) => {
        job.progress = progress;
        this.publish(job);
      },
      error: (e: unknown) => {
        job.state = 'failed';
        job.error = e instanceof Error ? e.message : String(e);
        job.finishedAt = new Date().toISOString();
        this.subscriptions.delete(job.id);
        this.logger.warn(`${label} (started by ${actor}) failed: ${job.error}`);
        this.publish(job);
      },
      complete: () => {
        job.state = 'done';
        job.finishedAt = new Date().toISOString();
        this.subscriptions.delete(job.id);
        this.publish(job);
      },
    });
    if (job.state === 'running') this.subscriptions.set(job.id, subscription);
    return { ...job };
  }

  /** The jobs of this instance, newest first. */
  list(): DashboardJob[] {
    return [...this.jobs.values()].reverse().map((j) => ({ ...j }));
  }

  onModuleDestroy(): void {
    for (const s of this.subscriptions.values()) s.unsubscribe();
    this.subscriptions.clear();
    this.updates.complete();
  }

  private publish(job: DashboardJob): void {
    this.updates.next({ ...job });
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.state !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(j.id);
  }
}
