import { progressOf } from '../progress/progress-meter';
import { formatDuration, formatProgressLine } from './progress-format';

describe('progress formatting', () => {
  it('prints the plain line of the issue', () => {
    expect(formatProgressLine('rebuild orders-view', { done: 120, total: 500, ratio: 0.24, ratePerSecond: 40, etaSeconds: 10, finished: false })).toBe(
      'rebuild orders-view: 120/500 (24%) 40/s eta 10s',
    );
    expect(formatProgressLine('rebuild orders-view', { done: 500, total: 500, ratio: 1, ratePerSecond: 41.3, etaSeconds: 0, finished: true })).toBe(
      'rebuild orders-view: 500/500 (100%) 41/s done',
    );
    expect(formatProgressLine('replay', { done: 1, total: 3, ratio: 1 / 3, ratePerSecond: 0.5, etaSeconds: null, finished: false })).toBe('replay: 1/3 (33%) 0.5/s eta ?');
  });

  it('never shows 100% before the last item', () => {
    expect(formatProgressLine('x', { done: 999, total: 1000, ratio: 0.999, ratePerSecond: 100, etaSeconds: 1, finished: false })).toBe('x: 999/1000 (99%) 100/s eta 1s');
  });

  it('durations', () => {
    expect(formatDuration(null)).toBe('?');
    expect(formatDuration(9.4)).toBe('9s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(7260)).toBe('2h01m');
  });

  it('computes rate, ratio and eta', () => {
    expect(progressOf(120, 500, 0, 3000, false)).toEqual({ done: 120, total: 500, ratio: 0.24, ratePerSecond: 40, etaSeconds: 10, finished: false });
    expect(progressOf(0, 0, 0, 0, true)).toMatchObject({ ratio: 1, etaSeconds: 0, ratePerSecond: 0 });
    expect(progressOf(0, 10, 0, 1000, false).etaSeconds).toBeNull();
    expect(progressOf(12, 10, 0, 1000, true).done).toBe(10);
  });
});
