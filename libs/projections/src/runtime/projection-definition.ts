import type { KafkaClient } from '@tributary/kafka';
import type { DataSource } from 'typeorm';
import type { ProjectionMetrics } from '../observability/projection-metrics';
import type { ProjectionStore } from '../persistence/projection-store';
import type { ResolvedProjectionOptions, ResolvedProjectionsOptions } from '../projections-options.validator';
import type { ProjectionRoute } from '../routing/projection-routes';
import type { UpcasterChain } from '../upcasting/upcaster-chain';
import type { TransactionGate } from './transaction-gate';

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

/** What a projection's worker (and the parts it builds) needs from the app. */
export interface ProjectionWorkerDeps {
  kafka: KafkaClient;
  dataSource: DataSource;
  store: ProjectionStore;
  options: ResolvedProjectionsOptions;
  /** Shared by the projections of one DataSource. */
  transactions: TransactionGate;
  metrics: ProjectionMetrics;
}

/** Key of a (topic, partition) in maps and sets. */
export const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
