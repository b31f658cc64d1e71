import { epochMs } from '../util/epoch-ms';
import type { BatchOutcome } from './lane-batch.shipper';

/** What the scheduler needs from the relay that owns it. */
export interface LaneSchedulerHost {
  /** Batches this instance runs at the same time. */
  readonly concurrency: number;
  /** Most lanes grouped into one batch. */
  readonly lanesPerBatch: number;
  /** False once the relay stops: no new batches. */
  isRunning(): boolean;
  /** Epoch ms before which the relay is paused (an outage). */
  pausedUntil(): number;
  /**
   * Run one batch over `lanes`, known to hold work since `signalledAt` (epoch ms, the earliest of
   * them); it reports back through `settle` when it got an outcome.
   */
  runBatch(lanes: number[], signalledAt: number): Promise<void>;
}

/**
 * Decides which lanes get a batch next. It knows the lanes with work (from NOTIFY or polling),
 * those waiting for a retry time, those with a backlog and those in a running batch, and starts
 * batches while workers are free, round-robin over the lanes.
 */
export class LaneScheduler {
  /** Lanes known to hold work, in round-robin order. */
  private readonly dirty = new Set<number>();
  /** Lanes whose next row is waiting for a retry time (epoch ms). */
  private readonly notBefore = new Map<number, number>();
  /** Lanes whose last batch left rows behind. */
  private readonly backlogged = new Set<number>();
  /** Lanes in a running batch of this instance. */
  private readonly busy = new Set<number>();
  /** Busy lanes that were signalled again while their batch ran. */
  private readonly resignalled = new Set<number>();
  /** When each lane was first known to hold work not yet taken by a batch (epoch ms), for batch timings. */
  private readonly signalledAt = new Map<number, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private wakeTimer?: NodeJS.Timeout;
  private wakeAt = 0;

  constructor(private readonly host: LaneSchedulerHost) {}

  /** Lanes found holding work by a poll. */
  addWork(lanes: Iterable<number>): void {
    const now = epochMs();
    for (const lane of lanes) {
      this.dirty.add(lane);
      if (!this.signalledAt.has(lane)) this.signalledAt.set(lane, now);
    }
    this.pump();
  }

  /** New rows committed in `lanes` (NOTIFY): they are due now, even if they were waiting. */
  signal(lanes: number[]): void {
    const now = epochMs();
    for (const lane of lanes) {
      this.notBefore.delete(lane);
      if (!this.signalledAt.has(lane)) this.signalledAt.set(lane, now);
      if (this.busy.has(lane)) this.resignalled.add(lane);
      this.dirty.add(lane);
    }
    this.pump();
  }

  /**
   * Start batches on dirty lanes while workers are free. A lane with a backlog (its last batch left
   * rows behind) gets a batch of its own with the full `batchSize`; lanes with a few new rows are
   * grouped, up to `lanesPerBatch` per batch, so a handful of workers serve many lanes quickly.
   */
  pump(): void {
    if (!this.host.isRunning()) return;
    const now = Date.now();
    const pausedUntil = this.host.pausedUntil();
    if (now < pausedUntil) return this.wakeAtTime(pausedUntil);
    const { concurrency, lanesPerBatch } = this.host;
    let earliest = Number.POSITIVE_INFINITY;
    let batch: number[] = [];
    for (const lane of this.dirty) {
      if (this.inFlight.size >= concurrency) break;
      if (this.busy.has(lane)) continue;
      const due = this.notBefore.get(lane) ?? 0;
      if (due > now) {
        earliest = Math.min(earliest, due);
        continue;
      }
      if (this.backlogged.has(lane)) {
        this.startBatch([lane]);
        continue;
      }
      batch.push(lane);
      if (batch.length >= lanesPerBatch) {
        this.startBatch(batch);
        batch = [];
      }
    }
    if (batch.length > 0 && this.inFlight.size < concurrency) this.startBatch(batch);
    if (earliest < Number.POSITIVE_INFINITY) this.wakeAtTime(earliest);
  }

  /** Run `pump` at `at` (epoch ms), unless an earlier wake-up is already set. */
  wakeAtTime(at: number): void {
    if (this.wakeTimer && this.wakeAt <= at && this.wakeAt > Date.now()) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.pump();
    }, Math.max(0, at - Date.now()));
  }

  /**
   * Record what a batch over `lanes` did (`outcome` undefined: another relay held them all), so
   * the lanes are dropped, kept, or scheduled for their retry time.
   */
  settle(lanes: number[], outcome: BatchOutcome | undefined): void {
    for (const lane of lanes) {
      const result = outcome?.lanes.get(lane);
      if (result?.more) this.backlogged.add(lane);
      else this.backlogged.delete(lane);
      if (this.resignalled.has(lane)) continue;
      if (!result) {
        // Another relay holds the lane; it keeps going while the lane has work.
        this.dirty.delete(lane);
        this.signalledAt.delete(lane);
      } else if (result.more || outcome!.outage !== undefined) {
        continue;
      } else if (result.retryAt !== undefined) {
        this.notBefore.set(lane, result.retryAt);
      } else {
        this.dirty.delete(lane);
        this.notBefore.delete(lane);
        this.signalledAt.delete(lane);
      }
    }
  }

  /** Cancel the pending wake-up and wait for the running batches. */
  async drain(): Promise<void> {
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  private startBatch(lanes: number[]): void {
    let signalledAt = Number.POSITIVE_INFINITY;
    for (const lane of lanes) {
      signalledAt = Math.min(signalledAt, this.signalledAt.get(lane) ?? Number.POSITIVE_INFINITY);
      this.signalledAt.delete(lane);
      this.busy.add(lane);
      this.resignalled.delete(lane);
      // Move the lane to the end of the round-robin order.
      this.dirty.delete(lane);
      this.dirty.add(lane);
    }
    // A lane retried or re-polled without a new signal has no time of its own: the batch start stands in.
    if (signalledAt === Number.POSITIVE_INFINITY) signalledAt = epochMs();
    const task = this.host.runBatch(lanes, signalledAt).finally(() => {
      for (const lane of lanes) this.busy.delete(lane);
      this.inFlight.delete(task);
      this.pump();
    });
    this.inFlight.add(task);
  }
}
