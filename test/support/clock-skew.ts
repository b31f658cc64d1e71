import { resolve } from 'node:path';

/** Environment for `ChildApp.start` that makes the child's `Date.now()` run `skewMs` off (a machine with a wrong clock). */
export function clockSkewEnv(skewMs: number): Record<string, string> {
  const preload = `--require ${resolve(__dirname, 'clock-skew.preload.js')}`;
  return { CLOCK_SKEW_MS: String(skewMs), NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' ') };
}
