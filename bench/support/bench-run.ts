/*
 * What every benchmark shares: the machine's load average at the start and end of the run, and
 * ratios that can only be taken between two figures measured in the same run (a ratio against a
 * baseline from another run, another load, another day says nothing).
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';

/** A figure and the run that measured it. */
export interface Measured {
  readonly runId: string;
  readonly value: number;
}

/** `os.loadavg()` (1, 5, 15 min), two decimals. */
export function loadAverage(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile of an ascending array, two decimals. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)] * 100) / 100;
}

export class BenchRun {
  readonly id = randomUUID();
  private readonly startedAt = new Date();
  private readonly loadAverageStart = loadAverage();

  constructor(private readonly name: string) {
    process.stderr.write(`[bench:${name}] load average at start: ${this.loadAverageStart.join(' ')} (${cpus().length} cores)\n`);
  }

  /** Tag a figure with this run. */
  measured(value: number): Measured {
    return { runId: this.id, value };
  }

  /**
   * `subject / baseline`, three decimals. Throws when either side was measured in another run or is
   * not a positive finite number: a ratio across runs is not reported at all.
   */
  ratio(subject: Measured, baseline: Measured): number {
    for (const side of [subject, baseline]) {
      if (side.runId !== this.id) throw new Error(`bench:${this.name}: refusing a ratio against a figure from another run (${side.runId})`);
      if (!Number.isFinite(side.value) || side.value <= 0) throw new Error(`bench:${this.name}: refusing a ratio of ${subject.value} to ${baseline.value}`);
    }
    return Math.round((subject.value / baseline.value) * 1000) / 1000;
  }

  /** The `machine` field of the JSON: load at start and end, cores, Node, timestamps. */
  machine(): { runId: string; cores: number; node: string; startedAt: string; endedAt: string; loadAverageStart: number[]; loadAverageEnd: number[] } {
    const loadAverageEnd = loadAverage();
    process.stderr.write(`[bench:${this.name}] load average at end: ${loadAverageEnd.join(' ')}\n`);
    return {
      runId: this.id,
      cores: cpus().length,
      node: process.version,
      startedAt: this.startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      loadAverageStart: this.loadAverageStart,
      loadAverageEnd,
    };
  }
}

/**
 * Run the sides alternately (A B A B …, `rounds` times each) and return each side's values and
 * median, so that a load change on a shared machine hits every side alike.
 */
export async function interleaved<K extends string>(
  rounds: number,
  sides: Record<K, () => Promise<number>>,
): Promise<Record<K, { median: number; values: number[] }>> {
  const keys = Object.keys(sides) as K[];
  const values = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (const key of keys) values[key].push(await sides[key]());
  }
  return Object.fromEntries(keys.map((k) => [k, { median: median(values[k]), values: values[k] }])) as Record<K, { median: number; values: number[] }>;
}
