import { REGISTRY_RECORD_SCHEMA } from '../discovery.constants';
import type { ServiceInstance } from '../interfaces/service-instance.interface';
import { decodeRegistryRecord, encodeRegistryRecord } from './registry-record.codec';
import { buildCatalogue, instancesSignature, RegistryState } from './registry-state';

function instance(service: string, instanceId: string, heartbeatAt: number, extra: Partial<ServiceInstance> = {}): ServiceInstance {
  return {
    schema: REGISTRY_RECORD_SCHEMA,
    service,
    instanceId,
    version: '1.0.0',
    host: 'h',
    endpoints: [],
    rpcMethods: [],
    publishes: [],
    consumes: [],
    serves: [],
    startedAt: new Date(0).toISOString(),
    heartbeatAt,
    ttlMs: 1000,
    ...extra,
  };
}

describe('RegistryState', () => {
  it('keeps the latest record per key, deletes on tombstones and ages out by TTL', () => {
    const state = new RegistryState();
    state.apply('a/1', instance('a', '1', 1000));
    state.apply('b/1', instance('b', '1', 1500));
    expect(state.live(1900).map((i) => i.service)).toEqual(['a', 'b']);
    expect(state.live(2100).map((i) => i.service)).toEqual(['b']);
    expect(state.apply('a/1', instance('a', '1', 900))).toBe(false);
    state.apply('a/1', instance('a', '1', 2000));
    expect(state.live(2100).map((i) => i.service)).toEqual(['a', 'b']);
    expect(state.apply('b/1', null)).toBe(true);
    expect(state.live(2100).map((i) => i.service)).toEqual(['a']);
  });

  it('ignores heartbeats in the change signature', () => {
    expect(instancesSignature([instance('a', '1', 1)])).toBe(instancesSignature([instance('a', '1', 2)]));
    expect(instancesSignature([instance('a', '1', 1)])).not.toBe(instancesSignature([instance('a', '2', 1)]));
  });
});

describe('registry record codec', () => {
  it('round-trips a record and explains what it cannot read', () => {
    const record = instance('a', '1', 5, { endpoints: [{ transport: 'tcp', host: '127.0.0.1', port: 4000 }] });
    expect(decodeRegistryRecord(encodeRegistryRecord(record))).toEqual(record);
    expect(decodeRegistryRecord(Buffer.from('nope'))).toBe('not JSON');
    expect(decodeRegistryRecord(Buffer.from(JSON.stringify({ ...record, schema: 99 })))).toMatch(/unknown record schema/);
    expect(decodeRegistryRecord(Buffer.from(JSON.stringify({ ...record, endpoints: [{ port: 0 }] })))).toBe('endpoints malformed');
  });
});

describe('buildCatalogue', () => {
  it('groups publishers, consumers and served methods across instances', () => {
    const catalogue = buildCatalogue([
      instance('orders', '1', 0, { publishes: [{ type: 'orders.placed', topic: 'orders', version: 1 }] }),
      instance('orders', '2', 0, { version: '1.1.0', publishes: [{ type: 'orders.placed', topic: 'orders', version: 1 }] }),
      instance('billing', '1', 0, {
        consumes: [{ type: 'orders.placed', topic: 'orders', consumer: 'Invoices' }],
        serves: [{ method: 'billing.charge', transport: 'kafka' }],
      }),
    ]);
    expect(catalogue.services.map((s) => [s.service, s.instances, s.versions])).toEqual([
      ['billing', 1, ['1.0.0']],
      ['orders', 2, ['1.0.0', '1.1.0']],
    ]);
    expect(catalogue.events).toEqual([
      { type: 'orders.placed', topic: 'orders', publishers: ['orders'], consumers: [{ service: 'billing', consumer: 'Invoices' }] },
    ]);
    expect(catalogue.methods).toEqual([{ method: 'billing.charge', services: ['billing'], transports: ['kafka'] }]);
  });
});
