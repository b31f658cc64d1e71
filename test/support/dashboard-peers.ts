import { encodeRegistryRecord, REGISTRY_RECORD_SCHEMA, registryKey, type ServiceInstance } from '@tributary/discovery';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { hostname } from 'node:os';

/** A service announced straight into the registry, so the topology has neighbours to draw. */
export interface PeerService {
  service: string;
  publishes?: Array<{ type: string; topic: string }>;
  consumes?: Array<{ type: string; topic: string; consumer: string }>;
  serves?: string[];
}

/**
 * Announce peers in the registry topic (long TTL, one record each) and return a function that
 * writes their tombstones.
 */
export async function announcePeers(brokers: string[], peers: PeerService[], registryTopic = 'tributary.registry'): Promise<() => Promise<void>> {
  const producer = new Kafka({ clientId: 'dashboard-test-peers', brokers, logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const records = peers.map((peer): ServiceInstance => ({
    schema: REGISTRY_RECORD_SCHEMA,
    service: peer.service,
    instanceId: `${peer.service}-1`,
    version: '2.0.0',
    host: hostname(),
    endpoints: [],
    rpcMethods: peer.serves ?? [],
    publishes: (peer.publishes ?? []).map((p) => ({ ...p, version: 1 })),
    consumes: peer.consumes ?? [],
    serves: (peer.serves ?? []).map((method) => ({ method, transport: 'kafka' })),
    startedAt: new Date().toISOString(),
    heartbeatAt: Date.now(),
    ttlMs: 10 * 60_000,
  }));
  await producer.send({
    topic: registryTopic,
    messages: records.map((r) => ({ key: registryKey(r.service, r.instanceId), value: encodeRegistryRecord(r) })),
  });
  return async () => {
    await producer.send({ topic: registryTopic, messages: records.map((r) => ({ key: registryKey(r.service, r.instanceId), value: null })) });
    await producer.disconnect();
  };
}
