import { ProjectionsConfigurationException } from '../exceptions/projections-configuration.exception';
import { UpcastException } from '../exceptions/upcast.exception';
import type { UpcastFunction } from '../interfaces/upcaster.interface';

/** One upcaster with where it was declared (for error messages). */
export interface UpcasterEntry {
  type: string;
  fromVersion: number;
  upcast: UpcastFunction;
  /** e.g. `CustomerDirectory.v1ToV2` or `module option`. */
  source: string;
}

/**
 * Upcasters of one projection by type and version. `upcast` walks the chain one version at a
 * time (v1 -> v2 -> v3) so each upcaster only knows its neighbour versions.
 */
export class UpcasterChain {
  private readonly steps = new Map<string, UpcasterEntry>();

  constructor(entries: UpcasterEntry[]) {
    for (const entry of entries) {
      if (typeof entry.type !== 'string' || entry.type === '') {
        throw new ProjectionsConfigurationException(`upcaster ${entry.source} needs an event type`);
      }
      if (!Number.isInteger(entry.fromVersion) || entry.fromVersion < 1) {
        throw new ProjectionsConfigurationException(
          `upcaster ${entry.source} for "${entry.type}": fromVersion must be a positive integer, got ${String(entry.fromVersion)}`,
        );
      }
      if (typeof entry.upcast !== 'function') {
        throw new ProjectionsConfigurationException(`upcaster ${entry.source} for "${entry.type}" is not a function`);
      }
      const id = `${entry.type}@${entry.fromVersion}`;
      const existing = this.steps.get(id);
      if (existing) {
        throw new ProjectionsConfigurationException(
          `two upcasters map "${entry.type}" from version ${entry.fromVersion}: ${existing.source} and ${entry.source}; keep one`,
        );
      }
      this.steps.set(id, entry);
    }
  }

  /** True when an upcaster reads `type` at `fromVersion`. */
  has(type: string, fromVersion: number): boolean {
    return this.steps.has(`${type}@${fromVersion}`);
  }

  /**
   * Bring `payload` of `type` from version `from` to `to`. Equal versions return the payload as is;
   * a newer payload than the handler knows, a missing step, or an upcaster that throws or returns
   * no object raise `UpcastException`.
   */
  upcast(type: string, payload: Record<string, unknown>, from: number, to: number): Record<string, unknown> {
    if (from === to) return payload;
    if (from > to) {
      throw new UpcastException(type, from, to, 'the event is newer than the handler; deploy the new event class first');
    }
    let current = payload;
    for (let version = from; version < to; version++) {
      const step = this.steps.get(`${type}@${version}`);
      if (!step) throw new UpcastException(type, from, to, `no upcaster from version ${version}`);
      let next: unknown;
      try {
        next = step.upcast(current);
      } catch (e) {
        throw new UpcastException(type, from, to, `${step.source} threw: ${(e as Error).message}`);
      }
      if (next === null || typeof next !== 'object' || Array.isArray(next)) {
        throw new UpcastException(type, from, to, `${step.source} returned ${Array.isArray(next) ? 'an array' : typeof next}, not an object`);
      }
      current = next as Record<string, unknown>;
    }
    return current;
  }
}
