import type { ResolvedProjectionOptions } from '../projections-options.validator';
import type { ProjectionRoute } from '../routing/projection-routes';
import type { UpcasterChain } from '../upcasting/upcaster-chain';

/** A projection as the service runs it: plain data built from the discovered class. */
export interface ProjectionDefinition {
  options: ResolvedProjectionOptions;
  className: string;
  instance: Record<string, unknown>;
  topics: string[];
  /** Read-model tables emptied by rebuild (resolved table paths). */
  tables: string[];
  routes: Map<string, ProjectionRoute>;
  upcasters: UpcasterChain;
}
