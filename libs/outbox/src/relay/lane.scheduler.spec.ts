import type { BatchOutcome, LaneResult } from './lane-batch.shipper';
import { LaneScheduler } from './lane.scheduler';

function outcome(lanes: Record<number, LaneResult>): BatchOutcome {
  return { lanes: new Map(Object.entries(lanes).map(([lane, r]) => [Number(lane), r])), shipped: 0, sent: [] };
}

describe('LaneScheduler', () => {
  let batches: number[][];
  let release: Array<() => void>;
  let scheduler: LaneScheduler;
  let running: boolean;

  beforeEach(() => {
    batches = [];
    release = [];
    running = true;
    scheduler = new LaneScheduler({
      concurrency: 2,
      lanesPerBatch: 3,
      isRunning: () => running,
      pausedUntil: () => 0,
      runBatch: (lanes) => {
        batches.push(lanes);
        return new Promise<void>((resolve) => release.push(resolve));
      },
    });
  });

  afterEach(async () => {
    running = false;
    release.forEach((r) => r());
    await scheduler.drain();
  });

  it('groups lanes up to lanesPerBatch and runs at most `concurrency` batches', () => {
    scheduler.addWork([0, 1, 2, 3, 4, 5, 6]);
    expect(batches).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it('gives a backlogged lane a batch of its own, and forgets lanes with nothing left', async () => {
    scheduler.addWork([0, 1, 2]);
    expect(batches).toEqual([[0, 1, 2]]);
    scheduler.settle([0, 1, 2], outcome({ 0: { more: true }, 1: { more: true }, 2: { more: false } }));
    release[0]();
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[0, 1, 2], [0], [1]]);
  });

  it('waits for a lane\'s retry time, unless new rows are signalled', async () => {
    scheduler.addWork([7]);
    scheduler.settle([7], outcome({ 7: { more: false, retryAt: Date.now() + 60_000 } }));
    release[0]();
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[7]]);
    scheduler.signal([7]);
    expect(batches).toEqual([[7], [7]]);
  });

  it('starts nothing once the relay stopped', () => {
    running = false;
    scheduler.addWork([0]);
    expect(batches).toEqual([]);
  });
});
