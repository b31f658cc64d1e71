import type { ServiceEndpoint, ServiceInstance } from '@tributary/discovery';

/** One live instance as the HTTP registry shows it. */
export interface RegistryInstanceView {
  instanceId: string;
  version: string;
  host: string;
  endpoints: ServiceEndpoint[];
  rpcMethods: string[];
  /** ISO-8601 start time. */
  startedAt: string;
  /** ISO-8601 time of the last heartbeat (the instance's clock). */
  heartbeatAt: string;
  /** The instance counts as gone when no heartbeat comes for this long, ms. */
  ttlMs: number;
}

/** A service and its live instances. */
export interface RegistryServiceView {
  service: string;
  versions: string[];
  instances: RegistryInstanceView[];
}

/** Names one instance in a change. */
export interface RegistryInstanceRef {
  service: string;
  instanceId: string;
}

/** What changed between two views of the registry. */
export interface RegistryChange {
  joined: RegistryInstanceRef[];
  left: RegistryInstanceRef[];
  /** Same instance, new content (endpoints, methods, version, topology). */
  updated: RegistryInstanceRef[];
}

export function instanceView(instance: ServiceInstance): RegistryInstanceView {
  return {
    instanceId: instance.instanceId,
    version: instance.version,
    host: instance.host,
    endpoints: instance.endpoints,
    rpcMethods: instance.rpcMethods,
    startedAt: instance.startedAt,
    heartbeatAt: new Date(instance.heartbeatAt).toISOString(),
    ttlMs: instance.ttlMs,
  };
}

/** Live instances grouped by service, services and instances sorted by name. */
export function registryServices(instances: ServiceInstance[]): RegistryServiceView[] {
  const services = new Map<string, RegistryServiceView>();
  for (const instance of instances) {
    let view = services.get(instance.service);
    if (!view) {
      view = { service: instance.service, versions: [], instances: [] };
      services.set(instance.service, view);
    }
    if (!view.versions.includes(instance.version)) view.versions.push(instance.version);
    view.instances.push(instanceView(instance));
  }
  for (const view of services.values()) view.instances.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
  return [...services.values()].sort((a, b) => a.service.localeCompare(b.service));
}

const keyOf = (i: ServiceInstance) => `${i.service}\u0000${i.instanceId}`;
const contentOf = ({ heartbeatAt: _heartbeat, ...rest }: ServiceInstance) => JSON.stringify(rest);
const refOf = (i: ServiceInstance): RegistryInstanceRef => ({ service: i.service, instanceId: i.instanceId });

/** Instances that joined, left or changed content from `before` to `after` (heartbeats alone are no change). */
export function diffInstances(before: ServiceInstance[], after: ServiceInstance[]): RegistryChange {
  const previous = new Map(before.map((i) => [keyOf(i), i]));
  const next = new Map(after.map((i) => [keyOf(i), i]));
  const change: RegistryChange = { joined: [], left: [], updated: [] };
  for (const [key, instance] of next) {
    const old = previous.get(key);
    if (!old) change.joined.push(refOf(instance));
    else if (contentOf(old) !== contentOf(instance)) change.updated.push(refOf(instance));
  }
  for (const [key, instance] of previous) if (!next.has(key)) change.left.push(refOf(instance));
  return change;
}
