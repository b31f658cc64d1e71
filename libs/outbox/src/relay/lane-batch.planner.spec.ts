import type { OutboxRow } from '../store/outbox-row.interface';
import { laneBlocking, planLaneBatch } from './lane-batch.planner';

const NOW = 1_000_000;

function row(id: number, key: string | null, payload = '{}'): OutboxRow {
  return {
    id, eventId: `e${id}`, topic: 't', key, type: 'x', version: 1, payload, headers: {}, lane: 0, status: 'pending',
    attempts: 0, lastError: null, createdAt: new Date(0), availableAt: new Date(0), publishedAt: null,
  };
}
const ex = (id: number, key: string | null, status: 'retrying' | 'dead', due = 0) => ({ id, lane: 0, key, status, availableAt: new Date(due) });
const limits = { batchSize: 100, maxBatchBytes: 1_000_000 };

describe('laneBlocking', () => {
  it('blocks the key of a retrying row still in backoff and reports when it is due', () => {
    const b = laneBlocking([ex(1, 'a', 'retrying', NOW + 500), ex(2, 'b', 'retrying', NOW - 1)], NOW, 'block');
    expect([...b.blockedKeys]).toEqual(['a']);
    expect(b.readyRetryIds).toEqual([2]);
    expect(b.retryAt).toBe(NOW + 500);
  });

  it("blocks a dead row's key under 'block' and not under 'skip'", () => {
    expect([...laneBlocking([ex(1, 'a', 'dead')], NOW, 'block').blockedKeys]).toEqual(['a']);
    expect([...laneBlocking([ex(1, 'a', 'dead')], NOW, 'skip').blockedKeys]).toEqual([]);
  });

  it('keeps a due retrying row behind an earlier dead row of its key', () => {
    const b = laneBlocking([ex(1, 'a', 'dead'), ex(2, 'a', 'retrying', NOW - 1)], NOW, 'block');
    expect(b.readyRetryIds).toEqual([]);
  });

  it('never blocks rows without a key', () => {
    const b = laneBlocking([ex(1, null, 'retrying', NOW + 10), ex(2, null, 'dead')], NOW, 'block');
    expect(b.blockedKeys.size).toBe(0);
    expect(b.retryAt).toBe(NOW + 10);
  });
});

describe('planLaneBatch', () => {
  it('merges due retrying rows and pending rows in id order', () => {
    const plan = planLaneBatch([row(3, 'a')], [row(1, 'b'), row(4, 'a'), row(5, 'c')], false, new Set(), limits);
    expect(plan.send.map((r) => r.id)).toEqual([1, 3, 4, 5]);
    expect(plan.more).toBe(false);
  });

  it('leaves out pending rows of blocked keys', () => {
    const plan = planLaneBatch([], [row(1, 'a'), row(2, 'b'), row(3, null)], false, new Set(['a']), limits);
    expect(plan.send.map((r) => r.id)).toEqual([2, 3]);
  });

  it('keeps retrying rows past the last pending id for the next round when the read was full', () => {
    const plan = planLaneBatch([row(9, 'a')], [row(1, 'b'), row(2, 'c')], true, new Set(), limits);
    expect(plan.send.map((r) => r.id)).toEqual([1, 2]);
    expect(plan.more).toBe(true);
  });

  it('cuts at batchSize and at maxBatchBytes, but always sends one row', () => {
    const rows = [row(1, 'a', 'x'.repeat(400)), row(2, 'a', 'x'.repeat(400)), row(3, 'a', 'x'.repeat(400))];
    expect(planLaneBatch([], rows, false, new Set(), { batchSize: 2, maxBatchBytes: 1e6 }).send).toHaveLength(2);
    const bytes = planLaneBatch([], rows, false, new Set(), { batchSize: 10, maxBatchBytes: 900 });
    expect(bytes.send).toHaveLength(2);
    expect(bytes.more).toBe(true);
    const huge = planLaneBatch([], [row(1, 'a', 'x'.repeat(5000))], false, new Set(), { batchSize: 10, maxBatchBytes: 1024 });
    expect(huge.send).toHaveLength(1);
  });
});
