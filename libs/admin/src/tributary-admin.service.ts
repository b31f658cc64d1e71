import { Inject, Injectable, Logger, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { DiscoveryClient } from '@tributary/discovery';
import { KafkaClient } from '@tributary/kafka';
import type { OutboxAdmin } from '@tributary/outbox';
import type { ProjectionsService } from '@tributary/projections';
import { Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import { TRIBUTARY_ADMIN_OPTIONS } from './admin-module-definition';
import { DeadLetterStore, type FoundDeadLetter } from './dead-letters/dead-letter.store';
import { AdminArgumentException } from './exceptions/admin-argument.exception';
import { AdminUnavailableException } from './exceptions/admin-unavailable.exception';
import type { AdminActionResult, AdminActor, AdminProgress } from './interfaces/admin-action.interface';
import type { AdminDeadLetter, DeadLetterFilter, DeadLetterSelection } from './interfaces/admin-dead-letter.interface';
import type { TributaryAdminModuleOptions } from './interfaces/admin-module-options.interface';
import type { AdminDeadRow, AdminOutboxStatus, DeadRowFilter, DeadRowSelection } from './interfaces/admin-outbox.interface';
import type { AdminProjectionStatus, AdminRebuildRecord } from './interfaces/admin-projection.interface';
import type { AdminServiceSummary } from './interfaces/admin-service.interface';
import type { AdminTopology } from './interfaces/admin-topology.interface';
import { optionalPeers } from './optional-peers';
import { progressOf } from './progress/progress-meter';
import { clusterProjections } from './projections/cluster-projections.reader';
import { rebuildProgressOf } from './projections/rebuild-progress';
import { RebuildRecordStore, type RebuildRow } from './projections/rebuild-record.store';
import { RegistryReader } from './registry/registry.reader';
import { buildTopology } from './topology/topology.builder';

const REQUEUE_CHUNK = 500;
const REPLAY_CHUNK = 100;

interface ResolvedPeers {
  outbox?: OutboxAdmin;
  projections?: ProjectionsService;
  discovery?: DiscoveryClient;
  dataSource?: DataSource;
}

/**
 * Reads the state of a Tributary system and performs the operator actions. The CLI, the dashboard
 * and users' own code call this one service. Works with any subset of the libs in the app: the
 * outbox, projections and discovery are used when present; with only `KafkaModule` it answers from
 * the cluster (registry, topology, lag from committed group offsets, dead-letter topics).
 */
@Injectable()
export class TributaryAdmin {
  private readonly logger = new Logger('TributaryAdmin');
  private peers?: ResolvedPeers;
  private rebuildStore?: RebuildRecordStore | null;
  private readonly deadLetterStore: DeadLetterStore;
  private readonly options: Required<Omit<TributaryAdminModuleOptions, 'dataSource'>> & Pick<TributaryAdminModuleOptions, 'dataSource'>;

  constructor(
    @Inject(TRIBUTARY_ADMIN_OPTIONS) rawOptions: TributaryAdminModuleOptions,
    private readonly moduleRef: ModuleRef,
    private readonly kafka: KafkaClient,
  ) {
    this.options = {
      showPayloads: rawOptions.showPayloads ?? false,
      dataSource: rawOptions.dataSource,
      rebuildTable: rawOptions.rebuildTable ?? 'tributary_admin_rebuilds',
      deadLetterTopicPattern: rawOptions.deadLetterTopicPattern ?? /\.dlq$/,
      archiveTopicSuffix: rawOptions.archiveTopicSuffix ?? '.archive',
      registryTopic: rawOptions.registryTopic ?? 'tributary.registry',
      progressIntervalMs: rawOptions.progressIntervalMs ?? 500,
      readTimeoutMs: rawOptions.readTimeoutMs ?? 20_000,
      clusterOnly: rawOptions.clusterOnly ?? false,
    };
    this.deadLetterStore = new DeadLetterStore(kafka, this.options.archiveTopicSuffix, this.options.readTimeoutMs);
  }

  /** Which parts of the system this admin reaches in this app. */
  capabilities(): { outbox: boolean; projections: boolean; discovery: boolean; rebuildRecords: boolean } {
    const p = this.resolvePeers();
    return { outbox: !!p.outbox, projections: !!p.projections, discovery: !!p.discovery, rebuildRecords: !!p.dataSource };
  }

  // ---- registry and topology ---------------------------------------------------------------------

  /** Services and their instances, from the registry. */
  async services(): Promise<AdminServiceSummary[]> {
    const entries = await this.registry().entries();
    const services = new Map<string, AdminServiceSummary>();
    for (const { instance, alive } of entries) {
      let s = services.get(instance.service);
      if (!s) services.set(instance.service, (s = { service: instance.service, versions: [], instances: [] }));
      if (!s.versions.includes(instance.version)) s.versions.push(instance.version);
      s.instances.push({
        id: instance.instanceId,
        version: instance.version,
        host: instance.host,
        endpoints: instance.endpoints.map((e) => ({ ...e })),
        startedAt: instance.startedAt,
        heartbeatAt: new Date(instance.heartbeatAt).toISOString(),
        alive,
      });
    }
    return [...services.values()].sort((a, b) => a.service.localeCompare(b.service));
  }

  /** Who publishes, consumes and serves what, as a graph of services (live instances only). */
  async topology(): Promise<AdminTopology> {
    const discovery = optionalPeers.discovery();
    if (!discovery) return { nodes: [], edges: [] };
    const live = (await this.registry().entries()).filter((e) => e.alive).map((e) => e.instance);
    return buildTopology(discovery.buildCatalogue(live));
  }

  // ---- outbox ------------------------------------------------------------------------------------

  /** Backlog of the app's outbox; null when the app has no outbox. */
  async outboxStatus(): Promise<AdminOutboxStatus | null> {
    const outbox = this.resolvePeers().outbox;
    if (!outbox) return null;
    const s = await outbox.stats();
    return {
      table: s.table,
      pending: s.pending,
      retrying: s.retrying,
      dead: s.dead,
      oldestPendingAgeSeconds: s.oldestUnpublishedAt ? Math.max(0, Math.round((Date.now() - s.oldestUnpublishedAt.getTime()) / 1000)) : null,
    };
  }

  /** Dead outbox rows matching `filter`, oldest first. Payloads only when the module shows them and the filter asks. */
  async deadOutboxRows(filter: DeadRowFilter = {}): Promise<AdminDeadRow[]> {
    const rows = await this.outboxOrThrow().findDead({ ...criteriaOf(filter), limit: filter.limit ?? 100 });
    const withPayloads = this.options.showPayloads && filter.showPayloads === true;
    return rows.map((r) => ({
      id: r.id,
      eventId: r.eventId,
      topic: r.topic,
      key: r.key,
      type: r.type,
      version: r.version,
      attempts: r.attempts,
      lastError: r.lastError,
      createdAt: r.createdAt.toISOString(),
      diedAt: r.availableAt.toISOString(),
      ...(withPayloads ? { payload: r.payload, headers: r.headers } : {}),
    }));
  }

  /**
   * Give dead rows a fresh attempt budget; the relay ships them before later rows of their key.
   * Each chunk is one conditional UPDATE (`WHERE status = 'dead'`), so operators requeuing the same
   * rows at once requeue (and ship) each row once: `affected` counts what this call changed.
   */
  async requeueDeadOutboxRows(
    selection: DeadRowSelection,
    actor: AdminActor,
    onProgress?: (progress: AdminProgress) => void,
  ): Promise<AdminActionResult> {
    return this.actOnDeadRows('outbox.requeue', selection, actor, (ids) => this.outboxOrThrow().requeue(ids), onProgress);
  }

  /** Delete dead rows for good (conditional DELETE, safe under concurrency like requeue). */
  async purgeDeadOutboxRows(
    selection: DeadRowSelection,
    actor: AdminActor,
    onProgress?: (progress: AdminProgress) => void,
  ): Promise<AdminActionResult> {
    return this.actOnDeadRows('outbox.purge', selection, actor, (ids) => this.outboxOrThrow().purge(ids), onProgress);
  }

  private async actOnDeadRows(
    action: string,
    selection: DeadRowSelection,
    actor: AdminActor,
    apply: (ids: number[]) => Promise<number>,
    onProgress?: (progress: AdminProgress) => void,
  ): Promise<AdminActionResult> {
    assertActor(actor);
    const outbox = this.outboxOrThrow();
    let ids: number[];
    if (selection === 'all') ids = (await outbox.findDead({ limit: Number.MAX_SAFE_INTEGER })).map((r) => r.id);
    else if (isIdSelection(selection)) ids = [...new Set(selection.ids)];
    else if (isFilterSelection(selection)) ids = (await outbox.findDead({ ...criteriaOf(selection), limit: Number.MAX_SAFE_INTEGER })).map((r) => r.id);
    else throw new AdminArgumentException("select dead rows with { ids: [..] }, a filter ({ type, key, error, since, until }) or 'all'");
    const started = Date.now();
    let affected = 0;
    onProgress?.(progressOf(0, ids.length, started, started, ids.length === 0));
    for (let i = 0; i < ids.length; i += REQUEUE_CHUNK) {
      const chunk = ids.slice(i, i + REQUEUE_CHUNK);
      affected += await apply(chunk);
      const done = i + chunk.length;
      onProgress?.(progressOf(done, ids.length, started, Date.now(), done >= ids.length));
    }
    return this.logged({ action, selected: ids.length, affected, actor, at: new Date().toISOString() }, describeSelection(selection));
  }

  // ---- projections -------------------------------------------------------------------------------

  /**
   * Every projection with per-partition checkpoints, lag, state, last error and its last recorded
   * rebuild. In cluster mode: every `*.projection.*` consumer group, lag from committed offsets.
   */
  async projections(): Promise<AdminProjectionStatus[]> {
    const service = this.resolvePeers().projections;
    if (!service) return clusterProjections(this.kafka);
    const [statuses, rebuilds] = await Promise.all([service.statusAll(), this.rebuildRecords()]);
    const out: AdminProjectionStatus[] = [];
    for (const s of statuses) {
      const record = rebuilds.get(s.name);
      out.push({
        name: s.name,
        service: this.kafka.serviceName,
        groupId: s.groupId,
        state: s.state,
        topics: s.topics,
        partitions: s.partitions.map((p) => ({ topic: p.topic, partition: p.partition, checkpoint: p.checkpoint, highWatermark: p.highWatermark, lag: p.lag })),
        lag: s.lag,
        ...(s.lastError ? { lastError: s.lastError } : {}),
        ...(record ? { rebuild: this.recordWithProgress(record, s.partitions) } : {}),
      });
    }
    return out;
  }

  /**
   * Rebuild a projection (empty its tables, checkpoints and inbox, replay from the earliest
   * offsets). The rebuild is recorded (who, when, target watermarks) so every instance sees it;
   * progress is computed from the stored checkpoints against the targets. Resolves once the replay
   * has started; the Observable completes when the projection reached the targets.
   */
  async rebuildProjection(name: string, actor: AdminActor): Promise<Observable<AdminProgress>> {
    assertActor(actor);
    const service = this.projectionsOrThrow();
    if (!service.names().includes(name)) {
      throw new AdminArgumentException(`unknown projection "${name}": use one of ${service.names().join(', ') || '(none in this app)'}`);
    }
    const store = this.rebuildStoreOrThrow();
    const targets: Record<string, string> = {};
    for (const topic of (await service.status(name)).topics) {
      for (const [partition, high] of await this.kafka.admin.highWatermarks(topic)) targets[`${topic}:${partition}`] = high.toString();
    }
    const record = await store.insert({ projection: name, startedBy: actor.name, via: actor.via, startedAt: new Date().toISOString(), targets });
    this.logger.log(`${actor.name} via ${actor.via}: projection.rebuild ${name} (targets ${Object.keys(targets).length} partitions)`);
    await service.rebuild(name);
    return this.followRebuild(record);
  }

  /** Progress of the running rebuild of `name` (started on any instance), or undefined when none runs. */
  async watchRebuild(name: string): Promise<Observable<AdminProgress> | undefined> {
    const record = (await this.rebuildRecords(name)).get(name);
    return record && !record.finishedAt ? this.followRebuild(record) : undefined;
  }

  private followRebuild(record: RebuildRow): Observable<AdminProgress> {
    const service = this.projectionsOrThrow();
    const store = this.rebuildStoreOrThrow();
    const started = Date.parse(record.startedAt);
    return new Observable<AdminProgress>((subscriber) => {
      let timer: NodeJS.Timeout | undefined;
      let closed = false;
      const tick = async () => {
        try {
          const status = await service.status(record.projection);
          if (status.state === 'failed') throw new Error(`rebuild of "${record.projection}" failed: ${status.lastError ?? 'see the app logs'}`);
          const { done, total, caughtUp } = rebuildProgressOf(record.targets, status.partitions);
          if (caughtUp) {
            await store.finish(record.id, new Date().toISOString());
            this.logger.log(`projection.rebuild ${record.projection} finished (${total} offsets, started by ${record.startedBy})`);
          }
          subscriber.next(progressOf(done, total, started, Date.now(), caughtUp));
          if (caughtUp) return subscriber.complete();
        } catch (e) {
          return subscriber.error(e);
        }
        if (!closed) timer = setTimeout(() => void tick(), this.options.progressIntervalMs);
      };
      void tick();
      return () => {
        closed = true;
        if (timer) clearTimeout(timer);
      };
    });
  }

  private async rebuildRecords(projection?: string): Promise<Map<string, RebuildRow>> {
    const store = this.rebuildStoreOrNull();
    if (!store) return new Map();
    try {
      return await store.latest(projection);
    } catch (e) {
      this.logger.warn(`rebuild records not read: ${(e as Error).message}`);
      return new Map();
    }
  }

  private recordWithProgress(
    record: RebuildRow,
    partitions: Array<{ topic: string; partition: number; position: string; lowWatermark: string }>,
  ): AdminRebuildRecord {
    const { done, total, caughtUp } = rebuildProgressOf(record.targets, partitions);
    const finished = record.finishedAt !== null || caughtUp;
    return {
      ...record,
      progress: { done: finished ? total : done, total, ratio: finished || total === 0 ? 1 : done / total },
    };
  }

  // ---- dead letters ------------------------------------------------------------------------------

  /**
   * Dead-letter topics (names matching `deadLetterTopicPattern`): in an app with projections, those
   * next to its projections' source topics (`<source>.…`); in cluster mode, every one in the cluster.
   */
  async deadLetterTopics(): Promise<string[]> {
    const admin = await this.kafka.admin.client();
    const all = (await admin.listTopics()).filter((t) => this.options.deadLetterTopicPattern.test(t)).sort();
    const scope = await this.ownSourceTopics();
    return scope ? all.filter((t) => scope.some((source) => t.startsWith(`${source}.`))) : all;
  }

  /** Source topics of this app's projections, or undefined when the admin sees the whole cluster. */
  private async ownSourceTopics(): Promise<string[] | undefined> {
    const projections = this.resolvePeers().projections;
    if (!projections) return undefined;
    const statuses = await Promise.all(projections.names().map((n) => projections.status(n)));
    return [...new Set(statuses.flatMap((s) => s.topics))];
  }

  /** Dead letters waiting for an operator (replayed and archived ones only with `includeHandled`). */
  async deadLetters(filter: DeadLetterFilter = {}): Promise<AdminDeadLetter[]> {
    const found = await this.findDeadLetters(filter);
    return found.slice(0, filter.limit ?? 100).map((f) => f.letter);
  }

  /**
   * Send dead letters back to their origin topic (original key, value and envelope headers, minus
   * the dead-letter headers) and mark them replayed. The projection that dropped one released its
   * event id from its inbox, so it applies it once; other projections of the topic find the id in
   * their inbox and skip it.
   */
  replayDeadLetters(selection: DeadLetterSelection, actor: AdminActor): Observable<AdminProgress> {
    return new Observable<AdminProgress>((subscriber) => {
      let cancelled = false;
      void (async () => {
        assertActor(actor);
        const items = await this.selectDeadLetters(selection);
        const started = Date.now();
        let done = 0;
        subscriber.next(progressOf(0, items.length, started, started, items.length === 0));
        for (let i = 0; i < items.length && !cancelled; i += REPLAY_CHUNK) {
          const chunk = items.slice(i, i + REPLAY_CHUNK);
          // Re-produce first, mark after: a crash in between replays again, which the inbox absorbs.
          await this.deadLetterStore.replay(chunk);
          await this.deadLetterStore.mark(chunk, 'replayed', actor);
          done += chunk.length;
          subscriber.next(progressOf(done, items.length, started, Date.now(), done >= items.length));
        }
        this.logged({ action: 'dlq.replay', selected: items.length, affected: done, actor, at: new Date().toISOString() }, describeSelection(selection));
        subscriber.complete();
      })().catch((e: unknown) => subscriber.error(e));
      return () => {
        cancelled = true;
      };
    });
  }

  /** Mark dead letters archived (skipped for good): `deadLetters()` no longer lists them. */
  async archiveDeadLetters(selection: DeadLetterSelection, actor: AdminActor): Promise<AdminActionResult> {
    assertActor(actor);
    const items = await this.selectDeadLetters(selection);
    await this.deadLetterStore.mark(items, 'archived', actor);
    return this.logged({ action: 'dlq.archive', selected: items.length, affected: items.length, actor, at: new Date().toISOString() }, describeSelection(selection));
  }

  private async findDeadLetters(filter: DeadLetterFilter): Promise<FoundDeadLetter[]> {
    const all = await this.deadLetterTopics();
    if (filter.topic !== undefined && !all.includes(filter.topic)) {
      throw new AdminArgumentException(`"${filter.topic}" is not a dead-letter topic: use one of ${all.join(', ') || '(none yet)'}`);
    }
    const topics = filter.topic !== undefined ? [filter.topic] : all;
    const found = await this.deadLetterStore.find(topics, filter, this.options.showPayloads && filter.showPayloads === true);
    // An app's admin shows (and replays) what its own projections dropped; cluster mode shows all.
    const own = this.resolvePeers().projections?.names();
    return own ? found.filter((f) => own.includes(f.letter.projection)) : found;
  }

  private async selectDeadLetters(selection: DeadLetterSelection): Promise<FoundDeadLetter[]> {
    if (selection === 'all') return this.findDeadLetters({});
    if (isDeadLetterIdSelection(selection)) {
      const wanted = new Set(selection.ids);
      const topics = [...new Set(selection.ids.map((id) => id.slice(0, id.lastIndexOf('/', id.lastIndexOf('/') - 1))))];
      const found: FoundDeadLetter[] = [];
      for (const topic of topics) found.push(...(await this.findDeadLetters({ topic })).filter((f) => wanted.has(f.letter.id)));
      return found;
    }
    if (selection && typeof selection === 'object') return this.findDeadLetters({ ...selection, includeHandled: false });
    throw new AdminArgumentException("select dead letters with { ids: ['<topic>/<partition>/<offset>'] }, a filter, or 'all'");
  }

  // ---- wiring ------------------------------------------------------------------------------------

  private logged(result: AdminActionResult, what: string): AdminActionResult {
    this.logger.log(`${result.actor.name} via ${result.actor.via}: ${result.action} ${what}: ${result.affected} of ${result.selected} selected`);
    return result;
  }

  private registry(): RegistryReader {
    return new RegistryReader(this.kafka, this.resolvePeers().discovery, this.options.registryTopic, this.options.readTimeoutMs);
  }

  private resolvePeers(): ResolvedPeers {
    if (this.peers) return this.peers;
    if (this.options.clusterOnly) return (this.peers = {});
    const get = <T>(token: Type<T> | undefined): T | undefined => {
      if (!token) return undefined;
      try {
        return this.moduleRef.get(token, { strict: false });
      } catch {
        return undefined;
      }
    };
    const typeorm = loadTypeOrmDataSource();
    const option = this.options.dataSource;
    const dataSource =
      option && typeof option === 'object' && 'createQueryRunner' in option
        ? (option as DataSource)
        : (get((option as Type<DataSource> | undefined) ?? typeorm) as DataSource | undefined);
    this.peers = {
      outbox: get(optionalPeers.outbox()?.OutboxAdmin),
      projections: get(optionalPeers.projections()?.ProjectionsService),
      discovery: get(optionalPeers.discovery()?.DiscoveryClient),
      dataSource: dataSource?.isInitialized ? dataSource : undefined,
    };
    return this.peers;
  }

  private outboxOrThrow(): OutboxAdmin {
    const outbox = this.resolvePeers().outbox;
    if (!outbox) throw new AdminUnavailableException('the outbox', 'import OutboxModule in the app (the CLI: run it through runTributaryCli(AppModule))');
    return outbox;
  }

  private projectionsOrThrow(): ProjectionsService {
    const projections = this.resolvePeers().projections;
    if (!projections) {
      throw new AdminUnavailableException('projections', 'import ProjectionsModule in the app (the CLI: run it through runTributaryCli(AppModule))');
    }
    return projections;
  }

  private rebuildStoreOrNull(): RebuildRecordStore | null {
    if (this.rebuildStore !== undefined) return this.rebuildStore;
    const dataSource = this.resolvePeers().dataSource;
    this.rebuildStore = dataSource ? new RebuildRecordStore(dataSource, this.options.rebuildTable) : null;
    return this.rebuildStore;
  }

  private rebuildStoreOrThrow(): RebuildRecordStore {
    const store = this.rebuildStoreOrNull();
    if (!store) throw new AdminUnavailableException('a TypeORM DataSource for the rebuild table', 'import TypeOrmModule.forRoot(...) or pass `dataSource` to TributaryAdminModule.forRoot');
    return store;
  }
}

function loadTypeOrmDataSource(): Type<DataSource> | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('typeorm') as typeof import('typeorm')).DataSource;
  } catch {
    return undefined;
  }
}

function assertActor(actor: AdminActor): void {
  if (!actor || typeof actor.name !== 'string' || actor.name.trim() === '' || !['cli', 'dashboard', 'code'].includes(actor.via)) {
    throw new AdminArgumentException("pass who acts: { name: 'alice', via: 'cli' | 'dashboard' | 'code' }");
  }
}

function isIdSelection(s: DeadRowSelection): s is { ids: number[] } {
  return !!s && typeof s === 'object' && Array.isArray((s as { ids?: unknown }).ids);
}

function isFilterSelection(s: DeadRowSelection): s is DeadRowFilter {
  if (!s || typeof s !== 'object' || isIdSelection(s)) return false;
  const f = s as DeadRowFilter;
  // An empty filter would silently mean "every row": ask for 'all' instead.
  if ([f.type, f.key, f.error, f.since, f.until].every((v) => v === undefined)) {
    throw new AdminArgumentException("an empty filter selects nothing: pass 'all' to act on every dead row, or set type, key, error, since or until");
  }
  return true;
}

function isDeadLetterIdSelection(s: DeadLetterSelection): s is { ids: string[] } {
  return !!s && typeof s === 'object' && Array.isArray((s as { ids?: unknown }).ids);
}

function criteriaOf(f: DeadRowFilter) {
  return { type: f.type, key: f.key, errorContains: f.error, since: f.since, until: f.until };
}

/** What an action selected, for the log line (criteria and counts, never payloads). */
function describeSelection(selection: DeadRowSelection | DeadLetterSelection): string {
  if (selection === 'all') return 'all';
  const s = selection as Record<string, unknown>;
  if (Array.isArray(s.ids)) return `ids ${s.ids.length <= 10 ? s.ids.join(',') : `${s.ids.slice(0, 10).join(',')},… (${s.ids.length})`}`;
  const parts = Object.entries(s)
    .filter(([k, v]) => v !== undefined && k !== 'showPayloads' && k !== 'limit')
    .map(([k, v]) => `${k}=${v instanceof Date ? v.toISOString() : String(v)}`);
  return `filter ${parts.join(' ')}`;
}
