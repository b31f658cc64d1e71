import {
  Inject,
  Injectable,
  Logger,
  type InjectionToken,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { KafkaClient, ServiceTopology } from '@tributary/kafka';
import { ReplaySubject, type Observable } from 'rxjs';
import type { DataSource, EntityTarget } from 'typeorm';
import { DuplicateProjectionException } from './exceptions/duplicate-projection.exception';
import { ProjectionsConfigurationException } from './exceptions/projections-configuration.exception';
import { UnknownProjectionException } from './exceptions/unknown-projection.exception';
import type { ProjectionState } from './interfaces/projection-policies.enum';
import type { ProjectionStatus, RebuildProgress } from './interfaces/projection-status.interface';
import type { ProjectionsModuleOptions } from './interfaces/projections-module-options.interface';
import { createProjectionStore } from './persistence/dialect-stores';
import type { ProjectionStore } from './persistence/projection-store';
import { PROJECTIONS_MODULE_OPTIONS } from './projections-module-definition';
import {
  isValidTableName,
  resolveProjectionOptions,
  resolveProjectionsOptions,
  type ResolvedProjectionsOptions,
} from './projections-options.validator';
import { ProjectionsExplorer, type DiscoveredProjection } from './projections.explorer';
import { PROJECTIONS_DATA_SOURCE_TOKEN } from './projections.constants';
import { buildProjectionRoutes } from './routing/projection-routes';
import { ProjectionMetrics } from './observability/projection-metrics';
import type { ProjectionDefinition } from './runtime/projection-definition';
import { ProjectionWorker } from './runtime/projection-worker';
import { concurrentTransactions, serialTransactions } from './runtime/transaction-gate';
import { UpcasterChain } from './upcasting/upcaster-chain';

/**
 * Runs the app's projections: finds them at bootstrap, creates the bookkeeping tables and
 * dead-letter topics, starts one consumer group member per projection, and exposes status,
 * lag, start/stop and rebuild.
 */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ProjectionsService.name);
  private readonly workers = new Map<string, ProjectionWorker>();
  private readonly rebuilds = new Map<string, Observable<RebuildProgress>>();
  private options!: ResolvedProjectionsOptions;
  private dataSource!: DataSource;
  private store!: ProjectionStore;
  private bootstrapped = false;

  constructor(
    @Inject(PROJECTIONS_MODULE_OPTIONS) private readonly rawOptions: ProjectionsModuleOptions,
    @Inject(PROJECTIONS_DATA_SOURCE_TOKEN) private readonly dataSourceToken: InjectionToken,
    private readonly moduleRef: ModuleRef,
    private readonly explorer: ProjectionsExplorer,
    private readonly kafka: KafkaClient,
    private readonly topology: ServiceTopology,
    private readonly metrics: ProjectionMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.bootstrapped) return;
    this.bootstrapped = true;
    this.options = resolveProjectionsOptions(this.rawOptions, this.kafka.serviceName, this.kafka.options.slowOperationThresholdMs);
    this.dataSource = this.rawOptions.dataSource ?? this.resolveDataSource();
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    this.store = createProjectionStore(this.dataSource.options.type, this.options.checkpointTable, this.options.inboxTable);
    const transactions = this.store.singleConnection ? serialTransactions() : concurrentTransactions;
    for (const discovered of this.explorer.explore()) {
      const definition = this.define(discovered);
      const existing = this.workers.get(definition.options.name);
      if (existing) throw new DuplicateProjectionException(definition.options.name, existing.definition.className, definition.className);
      this.workers.set(definition.options.name, new ProjectionWorker(definition, {
        kafka: this.kafka,
        dataSource: this.dataSource,
        store: this.store,
        options: this.options,
        transactions,
        metrics: this.metrics,
      }));
    }
    if (this.options.createTables) await this.store.createTables(this.dataSource);
    await this.ensureDeadLetterTopics();
    this.registerTopology();
    this.metrics.report([...this.workers.values()], this.options.metricsRefreshMs);
    // Retention runs whether or not the projection consumes here: its rows age all the same.
    for (const worker of this.workers.values()) worker.inboxSweeper.start();
    if (this.options.autoStart) for (const worker of this.workers.values()) await worker.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => Promise.all([w.stop(), w.inboxSweeper.stop()])));
  }

  /** Names of the projections of this app. */
  names(): string[] {
    return [...this.workers.keys()];
  }

  /** Life-cycle state of a projection on this instance. */
  state(name: string): ProjectionState {
    return this.worker(name).state;
  }

  /** Events applied by a projection on this instance since it started (no I/O, unlike `status`). */
  applied(name: string): number {
    return this.worker(name).applied;
  }

  /** State, checkpoints, lag against the high watermarks, counters and rate of a projection. */
  status(name: string): Promise<ProjectionStatus> {
    return this.worker(name).status();
  }

  /** Status of every projection. */
  statusAll(): Promise<ProjectionStatus[]> {
    return Promise.all(this.names().map((n) => this.status(n)));
  }

  /** Start a projection (when `autoStart` is off, or after `stop` or a halt). */
  async start(name: string): Promise<void> {
    await this.worker(name).start();
  }

  /** Stop a projection on this instance (its partitions go to the other members of the group). */
  async stop(name: string): Promise<void> {
    await this.worker(name).stop();
  }

  /**
   * Rebuild a projection: empty its declared `tables`, forget its checkpoints and inbox (one
   * transaction) and replay its topics from the earliest offsets. Resolves once the replay has
   * started, with an Observable of progress that completes when the projection has caught up with
   * the high watermarks taken at the start (the health indicator reports `rebuilding` until then).
   */
  async rebuild(name: string): Promise<Observable<RebuildProgress>> {
    const worker = this.worker(name);
    if (worker.state === 'rebuilding' && this.rebuilds.has(name)) return this.rebuilds.get(name)!;
    const targets = new Map<string, bigint>();
    for (const topic of worker.definition.topics) {
      for (const [partition, high] of await this.kafka.admin.highWatermarks(topic)) targets.set(`${topic}:${partition}`, high);
    }
    const appliedBefore = worker.applied;
    worker.rebuildRatio = 0;
    await worker.resetAndReplay();
    const progress = this.trackRebuild(worker, targets, appliedBefore);
    this.rebuilds.set(name, progress);
    return progress;
  }

  /** Progress of the rebuild in progress, if any. */
  rebuildProgress(name: string): Observable<RebuildProgress> | undefined {
    this.worker(name);
    return this.rebuilds.get(name);
  }

  private trackRebuild(worker: ProjectionWorker, targets: Map<string, bigint>, appliedBefore: number): Observable<RebuildProgress> {
    const started = Date.now();
    const snapshot = async (): Promise<RebuildProgress> => {
      const partitions = await worker.partitions();
      let done = 0;
      let total = 0;
      let caughtUp = true;
      for (const p of partitions) {
        const low = BigInt(p.lowWatermark);
        const target = targets.get(`${p.topic}:${p.partition}`) ?? low;
        const position = BigInt(p.position);
        total += Math.max(0, Number(target - low));
        done += Math.max(0, Number((position < target ? position : target) - low));
        if (position < target) caughtUp = false;
      }
      const applied = worker.applied - appliedBefore;
      const elapsed = Date.now() - started;
      const eventsPerSecond = elapsed > 0 ? Math.round((applied * 1000) / elapsed) : 0;
      return {
        name: worker.name,
        applied,
        done,
        total,
        ratio: total === 0 ? 1 : done / total,
        eventsPerSecond,
        etaSeconds: caughtUp ? 0 : eventsPerSecond > 0 ? Math.ceil((total - done) / eventsPerSecond) : null,
        partitions,
        caughtUp,
      };
    };
    // Hot: the rebuild runs whether or not anyone subscribes; a late subscriber gets the last value.
    const progress = new ReplaySubject<RebuildProgress>(1);
    const finish = (error?: unknown) => {
      this.rebuilds.delete(worker.name);
      worker.rebuildRatio = 1;
      if (error) progress.error(error);
      else progress.complete();
    };
    const tick = async () => {
      try {
        if (worker.state !== 'rebuilding') {
          throw new Error(`rebuild of "${worker.name}" ended in state ${worker.state}${worker.lastError ? `: ${worker.lastError}` : ''}`);
        }
        const p = await snapshot();
        worker.rebuildRatio = p.ratio;
        if (p.caughtUp) worker.markCaughtUp();
        progress.next(p);
        if (p.caughtUp) return finish();
      } catch (e) {
        if (worker.state !== 'rebuilding') return finish(e);
        this.logger.warn(`rebuild progress of "${worker.name}" not read: ${(e as Error).message}`);
      }
      setTimeout(() => void tick(), this.options.progressIntervalMs);
    };
    void tick();
    return progress.asObservable();
  }

  private worker(name: string): ProjectionWorker {
    const worker = this.workers.get(name);
    if (!worker) throw new UnknownProjectionException(name, this.names());
    return worker;
  }

  private resolveDataSource(): DataSource {
    try {
      return this.moduleRef.get<DataSource>(this.dataSourceToken, { strict: false });
    } catch {
      throw new ProjectionsConfigurationException(
        `no TypeORM DataSource is provided under ${String((this.dataSourceToken as { name?: string }).name ?? this.dataSourceToken)}; ` +
          'import TypeOrmModule.forRoot(...), pass `dataSource` in the options, or give `dataSourceToken` to forRoot',
      );
    }
  }

  private define(discovered: DiscoveredProjection): ProjectionDefinition {
    const options = resolveProjectionOptions(discovered.options, discovered.className, this.options);
    const routes = buildProjectionRoutes(options.name, discovered.handlers);
    if (routes.size === 0) {
      throw new ProjectionsConfigurationException(`@Projection ${discovered.className} has no @On handler`);
    }
    const topics = discovered.options.topics ?? [...new Set([...routes.values()].flatMap((r) => (r.topic ? [r.topic] : [])))];
    if (topics.length === 0) {
      throw new ProjectionsConfigurationException(
        `@Projection ${discovered.className}: set \`topics\` (its handlers take bare event types whose topic is unknown)`,
      );
    }
    const upcasters = new UpcasterChain([
      ...this.options.upcasters.map((u) => ({ ...u, source: `upcasters option (${u.type} v${u.fromVersion})` })),
      ...discovered.upcasters,
    ]);
    const tables = (discovered.options.tables ?? []).map((t) => this.tableOf(t, discovered.className));
    return { options, className: discovered.className, instance: discovered.instance, topics, tables, routes, upcasters };
  }

  private tableOf(target: EntityTarget<unknown> | string, className: string): string {
    if (typeof target === 'string' && !this.dataSource.hasMetadata(target)) {
      if (!isValidTableName(target)) {
        throw new ProjectionsConfigurationException(`@Projection ${className}: table "${target}" is not a plain SQL identifier`);
      }
      return target;
    }
    if (!this.dataSource.hasMetadata(target)) {
      const name = typeof target === 'function' ? target.name : String(target);
      throw new ProjectionsConfigurationException(`@Projection ${className}: ${name} is not an entity of the DataSource; add it to its entities`);
    }
    return this.dataSource.getMetadata(target).tablePath;
  }

  private async ensureDeadLetterTopics(): Promise<void> {
    if (!this.options.createDeadLetterTopics) return;
    const topics = new Set<string>();
    for (const worker of this.workers.values()) {
      for (const topic of worker.definition.topics) topics.add(worker.definition.options.deadLetterTopic(topic));
    }
    await this.kafka.admin.ensureTopics([...topics].map((topic) => ({ topic })));
  }

  private registerTopology(): void {
    for (const worker of this.workers.values()) {
      for (const route of worker.definition.routes.values()) {
        for (const topic of route.topic ? [route.topic] : worker.definition.topics) {
          this.topology.addConsumed({ type: route.type, topic, consumer: `projection:${worker.name}` });
        }
      }
    }
  }
}
