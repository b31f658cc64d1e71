import { REGISTRY_RECORD_SCHEMA } from '../discovery.constants';
import type { ServiceEndpoint, ServiceInstance } from '../interfaces/service-instance.interface';

/** Key of an instance's record in the compacted registry topic. */
export function registryKey(service: string, instanceId: string): string {
  return `${service}/${instanceId}`;
}

export function encodeRegistryRecord(instance: ServiceInstance): Buffer {
  return Buffer.from(JSON.stringify(instance), 'utf8');
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const isEndpoint = (v: unknown): v is ServiceEndpoint => {
  const e = v as ServiceEndpoint;
  return !!e && isString(e.transport) && isString(e.host) && Number.isInteger(e.port) && e.port > 0 && e.port < 65536;
};

/**
 * Read a registry record. Returns a reason string instead of throwing when the record is not one
 * this reader understands (another layout, garbage written by hand): readers skip it and go on.
 */
export function decodeRegistryRecord(value: Buffer): ServiceInstance | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return 'not JSON';
  }
  const r = parsed as Partial<ServiceInstance>;
  if (!r || typeof r !== 'object') return 'not an object';
  if (r.schema !== REGISTRY_RECORD_SCHEMA) return `unknown record schema ${String(r.schema)}`;
  if (!isString(r.service) || !isString(r.instanceId)) return 'service or instanceId missing';
  if (typeof r.heartbeatAt !== 'number' || typeof r.ttlMs !== 'number' || r.ttlMs <= 0) return 'heartbeatAt or ttlMs missing';
  if (!isArray(r.endpoints) || !r.endpoints.every(isEndpoint)) return 'endpoints malformed';
  return {
    schema: r.schema,
    service: r.service,
    instanceId: r.instanceId,
    version: typeof r.version === 'string' ? r.version : '0.0.0',
    host: typeof r.host === 'string' ? r.host : '',
    endpoints: r.endpoints,
    rpcMethods: isArray(r.rpcMethods) ? r.rpcMethods.filter(isString) : [],
    publishes: isArray(r.publishes) ? r.publishes : [],
    consumes: isArray(r.consumes) ? r.consumes : [],
    serves: isArray(r.serves) ? r.serves : [],
    startedAt: typeof r.startedAt === 'string' ? r.startedAt : '',
    heartbeatAt: r.heartbeatAt,
    ttlMs: r.ttlMs,
  };
}
