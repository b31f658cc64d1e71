import { TributaryMetrics } from '@tributary/kafka';
import { Registry } from 'prom-client';
import type { OutboxContext } from '../outbox.context';
import type { OutboxTableStats } from '../store/outbox.store';
import { oldestAgeSeconds, OutboxMetrics } from './outbox-metrics';

function fakeContext(tableName: string, stats: () => OutboxTableStats, metricsRefreshMs = 60_000) {
  const reads = { count: 0 };
  const store = {
    withSession: <T>(fn: (s: unknown) => Promise<T>) => fn({}),
    stats: async () => {
      reads.count++;
      return stats();
    },
  };
  return { context: { options: { tableName, metricsRefreshMs }, store } as unknown as OutboxContext, reads };
}

describe('OutboxMetrics', () => {
  const stats = (pending: number): OutboxTableStats => ({ pending, retrying: 2, dead: 1, oldestUnpublishedAt: new Date(Date.now() - 3000) });

  it('reports each app\'s own table on one registry, reads the table at most once per refresh period, and leaves on destroy', async () => {
    const registry = new Registry();
    const a = fakeContext('orders_outbox', () => stats(5));
    const b = fakeContext('billing_outbox', () => stats(7));
    const metricsA = new OutboxMetrics(new TributaryMetrics({ metrics: { registry, defaultMetrics: false } }), a.context);
    const metricsB = new OutboxMetrics(new TributaryMetrics({ metrics: { registry, defaultMetrics: false } }), b.context);
    metricsA.onApplicationBootstrap();
    metricsB.onApplicationBootstrap();

    let text = await registry.metrics();
    expect(text).toContain('tributary_outbox_pending_rows{table="orders_outbox"} 5');
    expect(text).toContain('tributary_outbox_pending_rows{table="billing_outbox"} 7');
    expect(text).toContain('tributary_outbox_retrying_rows{table="orders_outbox"} 2');
    expect(text).toContain('tributary_outbox_dead_rows{table="billing_outbox"} 1');
    expect(text).toMatch(/tributary_outbox_oldest_pending_age_seconds\{table="orders_outbox"\} 3(\.\d+)?\n/);
    // Four gauges, one query per app; a second scrape within the refresh period queries nothing.
    expect(a.reads.count).toBe(1);
    await registry.metrics();
    expect(a.reads.count).toBe(1);

    metricsA.acked(
      [
        { topic: 't1', createdAt: new Date(Date.now() - 20) },
        { topic: 't1', createdAt: new Date(Date.now() - 20) },
        { topic: 't2', createdAt: new Date(Date.now() - 20) },
        { topic: 't1', createdAt: new Date(Date.now() - 20) },
      ],
      Date.now(),
    );
    metricsA.sendFailed('refused', 2);
    metricsB.batchStarted(4);
    text = await registry.metrics();
    expect(text).toContain('tributary_outbox_events_shipped_total{table="orders_outbox",messaging_destination_name="t1"} 3');
    expect(text).toContain('tributary_outbox_events_shipped_total{table="orders_outbox",messaging_destination_name="t2"} 1');
    expect(text).toContain('tributary_outbox_commit_to_ack_seconds_count{table="orders_outbox"} 4');
    expect(text).toContain('tributary_outbox_send_failures_total{table="orders_outbox",reason="refused"} 2');
    expect(text).toContain('tributary_outbox_relay_batch_size_count{table="billing_outbox"} 1');
    expect(text).not.toContain('tributary_outbox_relay_batch_size_count{table="orders_outbox"}');

    metricsA.onModuleDestroy();
    text = await registry.metrics();
    expect(text).not.toContain('tributary_outbox_pending_rows{table="orders_outbox"}');
    expect(text).toContain('tributary_outbox_pending_rows{table="billing_outbox"} 7');
    metricsB.onModuleDestroy();
  });

  it('queries on every scrape with metricsRefreshMs 0, and drops the series while the table cannot be read', async () => {
    const registry = new Registry();
    let fail = false;
    const a = fakeContext('t_outbox', () => {
      if (fail) throw new Error('connection refused');
      return stats(1);
    }, 0);
    const metrics = new OutboxMetrics(new TributaryMetrics({ metrics: { registry, defaultMetrics: false } }), a.context);
    jest.spyOn((metrics as unknown as { logger: { warn: () => void } }).logger, 'warn').mockImplementation(() => undefined);
    metrics.onApplicationBootstrap();
    await registry.metrics();
    await registry.metrics();
    expect(a.reads.count).toBe(2);
    fail = true;
    const text = await registry.metrics();
    expect(text).not.toContain('tributary_outbox_pending_rows{table="t_outbox"}');
    metrics.onModuleDestroy();
  });

  it('ages the oldest row in seconds, 0 without one', () => {
    expect(oldestAgeSeconds(null)).toBe(0);
    expect(oldestAgeSeconds(new Date(1000), 3500)).toBe(2.5);
  });
});
