import type { Producer } from 'kafkajs';
import { ProducerPool, type ProducerFactory } from './producer-pool';

/** A stand-in producer whose calls fail while `failing` is set; only the pool's logic is tested here. */
interface FakeProducer {
  id: number;
  failing: boolean;
  sent: string[];
}

function fakeFactory() {
  const log: string[] = [];
  const made: FakeProducer[] = [];
  let createFails = false;
  let pendingCreate: { resolve: () => void } | undefined;
  let holdCreates = false;
  const factory: ProducerFactory = {
    create: async () => {
      if (holdCreates) await new Promise<void>((resolve) => (pendingCreate = { resolve }));
      if (createFails) {
        log.push('create failed');
        throw new Error('broker unreachable');
      }
      const fake: FakeProducer = { id: made.length + 1, failing: false, sent: [] };
      made.push(fake);
      log.push(`create ${fake.id}`);
      const call = async (what: string) => {
        if (fake.failing) throw new Error(`refused by broker (${what})`);
        fake.sent.push(what);
        return [];
      };
      return { fake, send: (r: { topic: string }) => call(r.topic), sendBatch: () => call('batch') } as unknown as Producer;
    },
    close: async (producer) => {
      log.push(`close ${(producer as unknown as { fake: FakeProducer }).fake.id}`);
    },
  };
  return {
    factory,
    log,
    made,
    setCreateFails: (v: boolean) => (createFails = v),
    holdCreates: (v: boolean) => (holdCreates = v),
    finishCreate: () => pendingCreate?.resolve(),
  };
}

const record = (topic: string) => ({ topic, messages: [{ value: 'v' }] });
const flush = () => new Promise((r) => setImmediate(r));

describe('ProducerPool', () => {
  it('lends a producer to one caller at a time and lends it again once released', async () => {
    const { factory, log } = fakeFactory();
    const pool = new ProducerPool(factory);
    const a = await pool.acquire();
    const b = await pool.acquire();
    await a.send(record('a'));
    await b.send(record('b'));
    expect(log).toEqual(['create 1', 'create 2']);
    b.release();
    const c = await pool.acquire();
    await c.send(record('c'));
    expect(log).toEqual(['create 1', 'create 2']);
    expect(pool.size).toBe(2);
  });

  it('retires a producer a call failed on: refused afterwards, closed on release, never lent again', async () => {
    const { factory, log, made } = fakeFactory();
    const pool = new ProducerPool(factory);
    const lease = await pool.acquire();
    made[0].failing = true;
    await expect(lease.sendBatch({ topicMessages: [] })).rejects.toThrow('refused by broker');
    expect(lease.retired).toBe(true);
    made[0].failing = false;
    // Its numbers were taken back: a later call on it must not reach the broker.
    await expect(lease.send(record('later'))).rejects.toThrow(/release it and acquire another/);
    expect(made[0].sent).toEqual([]);
    lease.release();
    await flush();
    expect(log).toEqual(['create 1', 'close 1']);
    const next = await pool.acquire();
    await next.send(record('next'));
    expect(made[1].sent).toEqual(['next']);
    expect(pool.size).toBe(1);
  });

  it('refuses calls on a released lease, and a second release does nothing', async () => {
    const { factory } = fakeFactory();
    const pool = new ProducerPool(factory);
    const lease = await pool.acquire();
    lease.release();
    lease.release();
    expect(pool.size).toBe(1);
    await expect(lease.send(record('x'))).rejects.toThrow(/released/);
    const again = await pool.acquire();
    expect(pool.size).toBe(1);
    again.release();
  });

  it('with maxProducers 1, runs calls one at a time in the order they came', async () => {
    const { factory, log, made } = fakeFactory();
    const pool = new ProducerPool(factory, { maxProducers: 1 });
    const order: string[] = [];
    const slow = (name: string, ms: number) =>
      pool.run(async (lease) => {
        order.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        await lease.send(record(name));
        order.push(`end ${name}`);
      });
    await Promise.all([slow('a', 20), slow('b', 0), slow('c', 0)]);
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(log).toEqual(['create 1']);
    expect(made[0].sent).toEqual(['a', 'b', 'c']);
  });

  it('with replaceRetired, connects the successor before closing the failed producer, and the waiting call gets the successor', async () => {
    const { factory, log, made, holdCreates, finishCreate } = fakeFactory();
    const pool = new ProducerPool(factory, { maxProducers: 1, replaceRetired: true });
    const first = await pool.acquire();
    made[0].failing = true;
    const queued = pool.run((lease) => lease.send(record('queued')));
    await expect(first.send(record('refused'))).rejects.toThrow();
    holdCreates(true);
    first.release();
    await flush();
    // The successor is connecting: the failed producer is still open, the queued call waits.
    expect(log).toEqual(['create 1']);
    expect(pool.size).toBe(1);
    finishCreate();
    await queued;
    expect(log).toEqual(['create 1', 'create 2', 'close 1']);
    expect(made[1].sent).toEqual(['queued']);
  });

  it('with replaceRetired and the broker gone, closes the failed producer and lets the waiting call fail', async () => {
    const { factory, log, made, setCreateFails } = fakeFactory();
    const pool = new ProducerPool(factory, { maxProducers: 1, replaceRetired: true });
    const first = await pool.acquire();
    made[0].failing = true;
    const queued = pool.run((lease) => lease.send(record('queued')));
    await expect(first.send(record('refused'))).rejects.toThrow();
    setCreateFails(true);
    first.release();
    await expect(queued).rejects.toThrow('broker unreachable');
    expect(log).toEqual(['create 1', 'create failed', 'close 1', 'create failed']);
    expect(pool.size).toBe(0);
  });

  it('gives a fresh producer even with idle ones, closing an idle one when at the maximum', async () => {
    const { factory, log } = fakeFactory();
    const pool = new ProducerPool(factory, { maxProducers: 2 });
    const a = await pool.acquire();
    const b = await pool.acquire();
    a.release();
    b.release();
    const fresh = await pool.acquire({ fresh: true });
    await fresh.send(record('f'));
    expect(log).toEqual(['create 1', 'create 2', 'close 1', 'create 3']);
    expect(pool.size).toBe(2);
  });

  it('close: idle producers now, lent ones when released; later acquires make new ones', async () => {
    const { factory, log } = fakeFactory();
    const pool = new ProducerPool(factory);
    const lent = await pool.acquire();
    const idle = await pool.acquire();
    idle.release();
    await pool.close();
    expect(log).toEqual(['create 1', 'create 2', 'close 2']);
    lent.release();
    await flush();
    expect(log).toEqual(['create 1', 'create 2', 'close 2', 'close 1']);
    expect(pool.size).toBe(0);
    await pool.acquire();
    expect(log[log.length - 1]).toBe('create 3');
  });

  it('frees the slot of a producer that could not connect', async () => {
    const { factory, setCreateFails } = fakeFactory();
    const pool = new ProducerPool(factory, { maxProducers: 1 });
    setCreateFails(true);
    await expect(pool.acquire()).rejects.toThrow('broker unreachable');
    expect(pool.size).toBe(0);
    setCreateFails(false);
    await expect(pool.acquire()).resolves.toBeDefined();
  });

  it('refuses a maximum below one', () => {
    expect(() => new ProducerPool(fakeFactory().factory, { maxProducers: 0 })).toThrow(/at least 1/);
  });
});
