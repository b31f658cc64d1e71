import type { OutboxRow } from '../store/outbox-row.interface';
import { planLaneBatch } from './lane-batch.planner';

function row(id: number, key: string | null, payload = '{}'): OutboxRow {
  return {
    id, eventId: `e${id}`, topic: 't', key, type: 'x', version: 1, payload, headers: {}, lane: 0, status: 'pending',
    attempts: 0, lastError: null, createdAt: new Date(0), availableAt: new Date(0), publishedAt: null,
  };
}
const limits = { batchSize: 100, maxBatchBytes: 1_000_000 };

describe('planLaneBatch', () => {
  it('merges due retrying rows and pending rows in id order', () => {
    const plan = planLaneBatch([row(3, 'a')], [row(1, 'b'), row(4, 'a'), row(5, 'c')], false, limits);
    expect(plan.send.map((r) => r.id)).toEqual([1, 3, 4, 5]);
    expect(plan.more).toBe(false);
  });

  it('keeps retrying rows past the last pending id for the next round when the read was full', () => {
    const plan = planLaneBatch([row(9, 'a')], [row(1, 'b'), row(2, 'c')], true, limits);
    expect(plan.send.map((r) => r.id)).toEqual([1, 2]);
    expect(plan.more).toBe(true);
  });

  it('cuts at batchSize and at maxBatchBytes, but always sends one row', () => {
    const rows = [row(1, 'a', 'x'.repeat(400)), row(2, 'a', 'x'.repeat(400)), row(3, 'a', 'x'.repeat(400))];
    expect(planLaneBatch([], rows, false, { batchSize: 2, maxBatchBytes: 1e6 }).send).toHaveLength(2);
    const bytes = planLaneBatch([], rows, false, { batchSize: 10, maxBatchBytes: 900 });
    expect(bytes.send).toHaveLength(2);
    expect(bytes.more).toBe(true);
    const huge = planLaneBatch([], [row(1, 'a', 'x'.repeat(5000))], false, { batchSize: 10, maxBatchBytes: 1024 });
    expect(huge.send).toHaveLength(1);
  });
});
