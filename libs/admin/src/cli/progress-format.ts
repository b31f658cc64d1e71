import type { AdminProgress } from '../interfaces/admin-action.interface';

/** Seconds as `45s`, `3m05s` or `2h01m`; `?` when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A rate without noise: whole numbers from 10/s up, one decimal below. */
export function formatRate(perSecond: number): string {
  return perSecond >= 10 ? String(Math.round(perSecond)) : String(Math.round(perSecond * 10) / 10);
}

/** One plain progress line, e.g. `rebuild orders-view: 120/500 (24%) 40/s eta 10s`. */
export function formatProgressLine(label: string, p: AdminProgress): string {
  const percent = Math.floor(p.ratio * 100);
  const tail = p.finished ? 'done' : `eta ${formatDuration(p.etaSeconds)}`;
  return `${label}: ${p.done}/${p.total} (${percent}%) ${formatRate(p.ratePerSecond)}/s ${tail}`;
}
