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
  let offset = 0n;
  const at = (receivedAt: number, extra: { replayed?: boolean; partition?: number; offset?: bigint } = {}) => ({
    partition: 0,
    offset: extra.offset ?? ++offset,
    receivedAt,
    replayed: extra.replayed,
  });

  it('keeps the latest record per key by offset, deletes on tombstones and ages out by TTL on the reader\'s clock', () => {
    const state = new RegistryState();
    state.apply('a/1', instance('a', '1', 1000), at(1000));
    state.apply('b/1', instance('b', '1', 1500), at(1500));
    expect(state.live(1900).map((i) => i.service)).toEqual(['a', 'b']);
    expect(state.live(2100).map((i) => i.service)).toEqual(['b']);
    // A heartbeat whose own timestamp went backwards (the announcer's clock was set back) still counts.
    expect(state.apply('a/1', instance('a', '1', 900), at(2000))).toBe(true);
    expect(state.live(2100).map((i) => i.service)).toEqual(['a', 'b']);
    expect(state.apply('b/1', null, at(2100))).toBe(true);
    expect(state.live(2100).map((i) => i.service)).toEqual(['a']);
  });

  it('never lets a re-read of older offsets roll a record back or bring a removed one back', () => {
    const state = new RegistryState();
    state.apply('a/1', instance('a', '1', 1, { version: '2.0.0' }), at(1000, { offset: 10n }));
    state.apply('b/1', null, at(1000, { offset: 11n }));
    expect(state.apply('a/1', instance('a', '1', 5, { version: '1.0.0' }), at(1100, { offset: 3n }))).toBe(false);
    expect(state.apply('b/1', instance('b', '1', 5), at(1100, { offset: 4n }))).toBe(false);
    expect(state.live(1200).map((i) => `${i.service}@${i.version}`)).toEqual(['a@2.0.0']);
    // Offsets are per partition.
    expect(state.apply('c/1', instance('c', '1', 5), { ...at(1100, { offset: 4n }), partition: 1 })).toBe(true);
  });

  it('judges liveness on receive time whatever the announcer\'s clock says, ten minutes ahead or behind', () => {
    const state = new RegistryState();
    const now = 1_000_000_000;
    state.apply('ahead/1', instance('ahead', '1', now + 600_000), at(now));
    state.apply('behind/1', instance('behind', '1', now - 600_000), at(now));
    expect(state.live(now + 500).map((i) => i.service)).toEqual(['ahead', 'behind']);
    expect(state.live(now + 1001)).toEqual([]);
  });

  it('takes a record replayed at start as heard at its own time when that is past, and now when it lies ahead', () => {
    const state = new RegistryState();
    const now = 1_000_000_000;
    state.apply('dead/1', instance('dead', '1', now - 60_000), at(now, { replayed: true }));
    state.apply('fresh/1', instance('fresh', '1', now - 200), at(now, { replayed: true }));
    state.apply('ahead/1', instance('ahead', '1', now + 600_000), at(now, { replayed: true }));
    expect(state.live(now).map((i) => i.service)).toEqual(['ahead', 'fresh']);
    expect(state.live(now + 900).map((i) => i.service)).toEqual(['ahead']);
    expect(state.live(now + 1001)).toEqual([]);
    // The next live heartbeat of an instance whose clock runs behind makes it live.
    state.apply('dead/1', instance('dead', '1', now - 59_000), at(now + 1000));
    expect(state.live(now + 1500).map((i) => i.service)).toEqual(['dead']);
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
