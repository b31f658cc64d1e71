import { describeBatch } from './relay.telemetry';

describe('describeBatch', () => {
  it('names table, lane and row counts and distinct topics, nothing about the rows themselves', () => {
    const rows = [{ topic: 'a', payload: 'SECRET', key: 'k1' }, { topic: 'b', payload: 'SECRET', key: 'k2' }, { topic: 'a', payload: 'SECRET', key: 'k3' }];
    const text = describeBatch('orders_outbox', [1, 2], rows);
    expect(text).toBe('outbox relay batch on orders_outbox (2 lanes, 3 rows, topics: a, b)');
    expect(text).not.toMatch(/SECRET|k1/);
  });

  it('caps the topic list and says when nothing was sent', () => {
    const rows = Array.from({ length: 8 }, (_, i) => ({ topic: `t${i}` }));
    expect(describeBatch('t', [0], rows)).toBe('outbox relay batch on t (1 lanes, 8 rows, topics: t0, t1, t2, t3, t4 and 3 more)');
    expect(describeBatch('t', [0], [])).toBe('outbox relay batch on t (1 lanes, 0 rows, topics: none)');
  });
});
