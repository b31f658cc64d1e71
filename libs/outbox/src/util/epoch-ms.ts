import { performance } from 'node:perf_hooks';

/**
 * Wall-clock epoch ms with sub-millisecond precision (`Date.now()` rounds to the ms, too coarse
 * for the phases of one batch), comparable with other processes' clocks on the same machine.
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
