import type { AdminProgress } from '../interfaces/admin-action.interface';

/** AdminProgress of work that started at `startedAt` (epoch ms) and has `done` of `total` items done at `now`. */
export function progressOf(done: number, total: number, startedAt: number, now: number, finished: boolean): AdminProgress {
  const clampedDone = Math.min(Math.max(done, 0), Math.max(total, 0));
  const elapsedSeconds = Math.max(now - startedAt, 0) / 1000;
  const ratePerSecond = elapsedSeconds > 0 ? Math.round((clampedDone / elapsedSeconds) * 10) / 10 : 0;
  const left = Math.max(total - clampedDone, 0);
  return {
    done: clampedDone,
    total: Math.max(total, 0),
    ratio: total <= 0 ? 1 : clampedDone / total,
    ratePerSecond,
    etaSeconds: finished || left === 0 ? 0 : ratePerSecond > 0 ? Math.ceil(left / ratePerSecond) : null,
    finished,
  };
}
