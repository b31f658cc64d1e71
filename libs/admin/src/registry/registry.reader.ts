import type { KafkaClient } from '@tributary/kafka';
import type { ServiceInstance } from '@tributary/discovery';
import { optionalPeers } from '../optional-peers';
import { readTopicSnapshot } from '../kafka/topic-snapshot.reader';

/** An instance record with its liveness at read time. */
export interface RegistryEntry {
  instance: ServiceInstance;
  alive: boolean;
}

/**
 * The registry's instances: from the app's DiscoveryClient when it has one (live, in memory), or
 * by reading the compacted registry topic once (cluster mode; also shows instances about to age out).
 */
export class RegistryReader {
  constructor(
    private readonly kafka: KafkaClient,
    private readonly discoveryClient: { instances(): ServiceInstance[] } | undefined,
    private readonly registryTopic: string,
    private readonly timeoutMs: number,
  ) {}

  async entries(): Promise<RegistryEntry[]> {
    if (this.discoveryClient) return this.discoveryClient.instances().map((instance) => ({ instance, alive: true }));
    const discovery = optionalPeers.discovery();
    if (!discovery) return [];
    // Liveness as of when the snapshot's end was fixed: records written after it are not read.
    const asOf = Date.now();
    const messages = await readTopicSnapshot(this.kafka, [this.registryTopic], this.timeoutMs);
    // Latest record per key, tombstones delete: the same rule as discovery's RegistryState, but
    // instances that stopped heartbeating are kept (alive: false) until ten TTLs, so an operator sees them leave.
    const records = new Map<string, ServiceInstance>();
    for (const { message } of messages) {
      const key = message.key?.toString('utf8');
      if (!key) continue;
      if (!message.value || message.value.length === 0) {
        records.delete(key);
        continue;
      }
      const record = discovery.decodeRegistryRecord(message.value);
      const current = records.get(key);
      if (typeof record !== 'string' && !(current && current.heartbeatAt > record.heartbeatAt)) records.set(key, record);
    }
    return [...records.values()]
      .filter((r) => asOf - r.heartbeatAt <= r.ttlMs * 10)
      .sort((a, b) => a.service.localeCompare(b.service) || a.instanceId.localeCompare(b.instanceId))
      .map((instance) => ({ instance, alive: discovery.isAlive(instance, asOf) }));
  }
}
