import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { KafkaClient, ServiceTopology, TributaryHeaders } from '@tributary/kafka';
import { skip, type Subscription } from 'rxjs';
import { REGISTRY_RECORD_SCHEMA } from '../discovery.constants';
import type { ServiceEndpoint, ServiceInstance } from '../interfaces/service-instance.interface';
import { DiscoverySettings } from './discovery-settings';
import { encodeRegistryRecord, registryKey } from './registry-record.codec';

/**
 * Announces this instance in the registry: a record at bootstrap, again on every heartbeat and
 * whenever the topology or endpoints change, and a tombstone on graceful shutdown.
 */
@Injectable()
export class ServiceRegistry implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ServiceRegistry.name);
  private readonly startedAt = new Date().toISOString();
  private readonly endpoints: ServiceEndpoint[] = [];
  private timer?: NodeJS.Timeout;
  private subscription?: Subscription;
  private started = false;
  private stopped = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: KafkaClient,
    private readonly topology: ServiceTopology,
    private readonly settings: DiscoverySettings,
  ) {}

  /** This instance's id. */
  get instanceId(): string {
    return this.settings.value.instanceId;
  }

  /** This service's name. */
  get service(): string {
    return this.settings.value.service;
  }

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.settings.value;
    this.endpoints.push(...settings.endpoints.filter((e) => !this.endpoints.some((x) => sameEndpoint(x, e))));
    if (!settings.announce) return;
    await this.settings.ensureRegistryTopic();
    this.started = true;
    await this.announce();
    this.timer = setInterval(() => void this.announce(), settings.heartbeatIntervalMs);
    this.timer.unref();
    this.subscription = this.topology.changes.pipe(skip(1)).subscribe(() => void this.announce());
  }

  /** Add a direct address (e.g. the RPC TCP server once it listens) and re-announce. */
  async addEndpoint(endpoint: ServiceEndpoint): Promise<void> {
    if (this.endpoints.some((e) => sameEndpoint(e, endpoint))) return;
    this.endpoints.push(endpoint);
    if (this.started) await this.announce();
  }

  /** The record this instance announces now. */
  record(): ServiceInstance {
    const s = this.settings.value;
    const topology = this.topology.snapshot();
    return {
      schema: REGISTRY_RECORD_SCHEMA,
      service: s.service,
      instanceId: s.instanceId,
      version: s.version,
      host: s.host,
      endpoints: [...this.endpoints],
      rpcMethods: [...new Set(topology.serves.map((m) => m.method))].sort(),
      publishes: topology.publishes,
      consumes: topology.consumes,
      serves: topology.serves,
      startedAt: this.startedAt,
      heartbeatAt: Date.now(),
      ttlMs: s.ttlMs,
    };
  }

  /** Write the current record now (heartbeats call this). Failures are logged: the next beat retries. */
  announce(): Promise<void> {
    return this.write(() => encodeRegistryRecord(this.record()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.started || this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.subscription?.unsubscribe();
    await this.writing;
    // The tombstone removes the instance at once for every reader (and lets compaction drop it).
    await this.send(null).catch((e: Error) => this.logger.warn(`could not write the registry tombstone: ${e.message}`));
  }

  private write(value: () => Buffer): Promise<void> {
    // Writes are chained so a heartbeat never overtakes the tombstone or an earlier record.
    this.writing = this.writing.then(async () => {
      if (this.stopped) return;
      await this.send(value()).catch((e: Error) => this.logger.warn(`registry announce failed: ${e.message}`));
    });
    return this.writing;
  }

  private async send(value: Buffer | null): Promise<void> {
    const s = this.settings.value;
    const producer = await this.kafka.producer();
    await producer.send({
      topic: s.registryTopic,
      messages: [{ key: registryKey(s.service, s.instanceId), value, headers: { [TributaryHeaders.SOURCE]: s.service } }],
    });
  }
}

function sameEndpoint(a: ServiceEndpoint, b: ServiceEndpoint): boolean {
  return a.transport === b.transport && a.host === b.host && a.port === b.port;
}
