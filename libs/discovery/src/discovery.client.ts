import { Injectable, Logger, Optional, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { KafkaClient, TributaryMetrics, type ConsumedBatch, type KafkaConsumerRunner } from '@tributary/kafka';
import { randomBytes } from 'node:crypto';
import { BehaviorSubject, distinctUntilChanged, map, type Observable } from 'rxjs';
import type { Catalogue, ServiceInstance } from './interfaces/service-instance.interface';
import { DiscoveryMetrics } from './observability/discovery-metrics';
import { decodeRegistryRecord } from './registry/registry-record.codec';
import { DiscoverySettings } from './registry/discovery-settings';
import { buildCatalogue, instancesSignature, RegistryState } from './registry/registry-state';

/** How often liveness is re-evaluated, so dead instances age out without new messages. */
const SWEEP_INTERVAL_MS = 250;

/**
 * This instance's view of the registry: reads the whole compacted topic (a consumer group of its
 * own process start, from the beginning) and keeps the live instances in memory. Liveness is judged
 * on this reader's clock, from when each record arrived; records are ordered by topic offset.
 */
@Injectable()
export class DiscoveryClient implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DiscoveryClient.name);
  private readonly state = new RegistryState();
  private readonly live$ = new BehaviorSubject<ServiceInstance[]>([]);
  private signature = instancesSignature([]);
  private current: ServiceInstance[] = [];
  private consumer?: KafkaConsumerRunner;
  private sweeper?: NodeJS.Timeout;
  private readonly caughtUp: Promise<void>;
  private markCaughtUp!: () => void;
  private pendingWatermarks?: Map<number, bigint>;
  /** End of each partition when this reader started: records before it are replayed history. */
  private startWatermarks = new Map<number, bigint>();
  private metrics?: DiscoveryMetrics;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly settings: DiscoverySettings,
    @Optional() private readonly tributaryMetrics?: TributaryMetrics,
  ) {
    this.caughtUp = new Promise((resolve) => (this.markCaughtUp = resolve));
  }

  async onApplicationBootstrap(): Promise<void> {
    const { registryTopic, service, instanceId } = this.settings.value;
    await this.settings.ensureRegistryTopic();
    const watermarks = await this.kafka.admin.highWatermarks(registryTopic);
    this.startWatermarks = watermarks;
    this.pendingWatermarks = new Map([...watermarks].filter(([, high]) => high > 0n));
    if (this.pendingWatermarks.size === 0) this.markCaughtUp();
    this.consumer = this.kafka.createConsumer({
      // A group of its own, every instance must read every record; and of this process start, so an
      // instance restarted with the same configured id never waits for its dead predecessor's session.
      groupId: `tributary.registry.${service}.${instanceId}.${randomBytes(6).toString('hex')}`,
      topics: [registryTopic],
      fromBeginning: true,
      autoCommit: false,
      maxWaitTimeInMs: 100,
      eachBatch: (batch) => this.onBatch(batch),
    });
    await this.consumer.start();
    this.sweeper = setInterval(() => this.publishIfChanged(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
    if (this.tributaryMetrics) this.metrics ??= new DiscoveryMetrics(this.tributaryMetrics, () => this.current);
  }

  /** Resolves once the registry has been read up to where it was when the app started. */
  ready(): Promise<void> {
    return this.caughtUp;
  }

  /** Live instances of `service` (every service when omitted). */
  instances(service?: string): ServiceInstance[] {
    const live = this.current;
    return service === undefined ? live : live.filter((i) => i.service === service);
  }

  /** The live instances of `service`, now and after every change (join, leave, age-out, new content). */
  watch(service?: string): Observable<ServiceInstance[]> {
    return this.live$.pipe(
      map((live) => (service === undefined ? live : live.filter((i) => i.service === service))),
      distinctUntilChanged((a, b) => instancesSignature(a) === instancesSignature(b)),
    );
  }

  /** Who publishes, consumes and serves what, across every live instance. */
  catalogue(): Catalogue {
    return buildCatalogue(this.current);
  }

  /** The catalogue now and after every change. */
  watchCatalogue(): Observable<Catalogue> {
    return this.watch().pipe(map(buildCatalogue));
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.metrics?.close();
    this.metrics = undefined;
    await this.consumer?.stop();
    this.live$.complete();
  }

  private async onBatch(batch: ConsumedBatch): Promise<void> {
    const receivedAt = Date.now();
    const replayedBelow = this.startWatermarks.get(batch.partition) ?? 0n;
    for (const message of batch.messages) {
      const key = message.key?.toString('utf8');
      const offset = BigInt(message.offset);
      const receipt = { partition: batch.partition, offset, receivedAt, replayed: offset < replayedBelow };
      if (key) {
        if (!message.value || message.value.length === 0) {
          this.state.apply(key, null, receipt);
        } else {
          const record = decodeRegistryRecord(message.value);
          if (typeof record === 'string') this.logger.warn(`skipping registry record ${key}: ${record}`);
          else this.state.apply(key, record, receipt);
        }
      }
      batch.resolveOffset(message.offset);
      this.noteProgress(batch.partition, BigInt(message.offset));
    }
    this.publishIfChanged();
  }

  private noteProgress(partition: number, offset: bigint): void {
    const pending = this.pendingWatermarks;
    if (!pending || pending.size === 0) return;
    const high = pending.get(partition);
    if (high !== undefined && offset + 1n >= high) pending.delete(partition);
    if (pending.size === 0) this.markCaughtUp();
  }

  private publishIfChanged(): void {
    const now = Date.now();
    this.state.prune(now);
    const live = this.state.live(now);
    const signature = instancesSignature(live);
    // instances() sees fresh heartbeats; watchers only hear about membership or content changes.
    this.current = live;
    if (signature === this.signature) return;
    this.signature = signature;
    this.live$.next(live);
  }
}
