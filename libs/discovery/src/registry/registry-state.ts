import type { Catalogue, CatalogueEvent, CatalogueMethod, CatalogueService, ServiceInstance } from '../interfaces/service-instance.interface';

/**
 * True while the instance's last heartbeat, by its own timestamp, is younger than its TTL. This
 * compares the announcer's clock with `now`: use it only for a one-shot look at the registry where
 * no receive time is known. A `DiscoveryClient` judges liveness on when it received each record.
 */
export function isAlive(instance: ServiceInstance, now: number): boolean {
  return now - instance.heartbeatAt <= instance.ttlMs;
}

/** Where and when a registry record was read. */
export interface RegistryRecordReceipt {
  /** Partition of the registry topic. */
  partition: number;
  /** Offset of the record: later offsets win, whatever their timestamps say. */
  offset: bigint;
  /** This reader's clock when the record was read. */
  receivedAt: number;
  /**
   * The record was already on the topic when this reader started (read while catching up): it was
   * written some time ago, how long is unknown. It counts as heard at its own `heartbeatAt` when
   * that lies in the past (a dead instance's old record is not live) and as heard now otherwise (an
   * announcer whose clock runs ahead); the next heartbeat sets it straight either way.
   */
  replayed?: boolean;
}

interface Entry {
  record: ServiceInstance;
  /** When this reader last heard from the instance, on its own clock. */
  heardAt: number;
}

/**
 * The registry as read so far: the latest record per key by topic offset (tombstones delete).
 * Liveness is judged at read time on this reader's clock: an instance is live while its last
 * record was received less than its TTL ago, so clocks of announcers never matter and a dead
 * instance ages out without anyone writing for it.
 */
export class RegistryState {
  private readonly records = new Map<string, Entry>();
  /** Highest offset applied per partition: a re-read (consumer restart) never rolls a record back. */
  private readonly applied = new Map<number, bigint>();

  /** Apply one record (`null` = tombstone). Returns true when the stored state changed. */
  apply(key: string, record: ServiceInstance | null, receipt: RegistryRecordReceipt): boolean {
    const last = this.applied.get(receipt.partition);
    if (last !== undefined && receipt.offset <= last) return false;
    this.applied.set(receipt.partition, receipt.offset);
    if (record === null) return this.records.delete(key);
    const heardAt = receipt.replayed ? Math.min(receipt.receivedAt, record.heartbeatAt) : receipt.receivedAt;
    this.records.set(key, { record, heardAt });
    return true;
  }

  /** Live instances, sorted by service then instance id. */
  live(now: number): ServiceInstance[] {
    return [...this.records.values()]
      .filter((e) => now - e.heardAt <= e.record.ttlMs)
      .map((e) => e.record)
      .sort((a, b) => a.service.localeCompare(b.service) || a.instanceId.localeCompare(b.instanceId));
  }

  /** Drop records not heard of for ten TTLs, so memory does not grow with dead instances. */
  prune(now: number): void {
    for (const [key, e] of this.records) if (now - e.heardAt > e.record.ttlMs * 10) this.records.delete(key);
  }
}

/** What changes a watcher cares about: membership and content, not every heartbeat. */
export function instancesSignature(instances: ServiceInstance[]): string {
  return JSON.stringify(instances.map(({ heartbeatAt: _heartbeat, ...rest }) => rest));
}

function pushUnique<T>(list: T[], item: T, same: (a: T, b: T) => boolean): void {
  if (!list.some((e) => same(e, item))) list.push(item);
}

/** The live topology: who publishes, consumes and serves what. */
export function buildCatalogue(instances: ServiceInstance[]): Catalogue {
  const services = new Map<string, CatalogueService>();
  const events = new Map<string, CatalogueEvent>();
  const methods = new Map<string, CatalogueMethod>();
  for (const i of instances) {
    let s = services.get(i.service);
    if (!s) {
      s = { service: i.service, versions: [], instances: 0, publishes: [], consumes: [], serves: [] };
      services.set(i.service, s);
    }
    s.instances += 1;
    pushUnique(s.versions, i.version, (a, b) => a === b);
    for (const p of i.publishes) {
      pushUnique(s.publishes, p, (a, b) => a.type === b.type && a.topic === b.topic && a.version === b.version);
      const e = eventEntry(events, p.type, p.topic);
      pushUnique(e.publishers, i.service, (a, b) => a === b);
    }
    for (const c of i.consumes) {
      pushUnique(s.consumes, c, (a, b) => a.type === b.type && a.topic === b.topic && a.consumer === b.consumer);
      const e = eventEntry(events, c.type, c.topic);
      pushUnique(e.consumers, { service: i.service, consumer: c.consumer }, (a, b) => a.service === b.service && a.consumer === b.consumer);
    }
    for (const m of i.serves) {
      pushUnique(s.serves, m, (a, b) => a.method === b.method && a.transport === b.transport);
      let entry = methods.get(m.method);
      if (!entry) {
        entry = { method: m.method, services: [], transports: [] };
        methods.set(m.method, entry);
      }
      pushUnique(entry.services, i.service, (a, b) => a === b);
      pushUnique(entry.transports, m.transport, (a, b) => a === b);
    }
  }
  const byName = <T>(key: (t: T) => string) => (a: T, b: T) => key(a).localeCompare(key(b));
  return {
    services: [...services.values()].sort(byName((s) => s.service)),
    events: [...events.values()].sort(byName((e) => `${e.type}\u0000${e.topic}`)),
    methods: [...methods.values()].sort(byName((m) => m.method)),
  };
}

function eventEntry(events: Map<string, CatalogueEvent>, type: string, topic: string): CatalogueEvent {
  const key = `${type}\u0000${topic}`;
  let e = events.get(key);
  if (!e) {
    e = { type, topic, publishers: [], consumers: [] };
    events.set(key, e);
  }
  return e;
}
