/** Who performs an admin action; logged with every action. */
export interface AdminActor {
  /** A person or a system, e.g. `alice` or `deploy-bot`. */
  name: string;
  /** The face the action came through. */
  via: 'cli' | 'dashboard' | 'code';
}

/** Outcome of an action that finishes at once (requeue, purge, archive). */
export interface AdminActionResult {
  /** What was done, e.g. `outbox.requeue`. */
  action: string;
  /** How many items were selected when the action ran. */
  selected: number;
  /** How many items this call changed (less than `selected` when another operator got there first). */
  affected: number;
  actor: AdminActor;
  /** ISO time the action finished. */
  at: string;
}

/** One step of long work (rebuild, replay, bulk requeue). */
export interface AdminProgress {
  /** Items done so far. */
  done: number;
  /** Items to do (known at the start; for a rebuild the offsets up to the watermarks taken then). */
  total: number;
  /** done / total, 0..1 (1 when total is 0). */
  ratio: number;
  /** Items per second since the work started. */
  ratePerSecond: number;
  /** Seconds left at the current rate, null while the rate is unknown. */
  etaSeconds: number | null;
  /** True on the last emission; the Observable completes after it. */
  finished: boolean;
}
