import { rebuildProgressOf } from './rebuild-progress';

describe('rebuildProgressOf', () => {
  const targets = { 't:0': '100', 't:1': '50' };
  it('counts offsets between the low watermark and the targets', () => {
    expect(
      rebuildProgressOf(targets, [
        { topic: 't', partition: 0, position: '30', lowWatermark: '10' },
        { topic: 't', partition: 1, position: '50', lowWatermark: '0' },
      ]),
    ).toEqual({ done: 70, total: 140, caughtUp: false });
  });
  it('is caught up when every partition reached its target, whatever came after', () => {
    expect(
      rebuildProgressOf(targets, [
        { topic: 't', partition: 0, position: '120', lowWatermark: '10' },
        { topic: 't', partition: 1, position: '50', lowWatermark: '0' },
      ]),
    ).toEqual({ done: 140, total: 140, caughtUp: true });
  });
  it('treats a missing position as the low watermark, and empty partitions as done', () => {
    expect(rebuildProgressOf({ 't:0': '5', 't:1': '0' }, [])).toEqual({ done: 0, total: 5, caughtUp: false });
  });
});
