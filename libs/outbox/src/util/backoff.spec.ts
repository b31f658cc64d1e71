import { backoffDelay } from './backoff';

const settings = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 };

describe('backoffDelay', () => {
  it('grows exponentially from initialMs and stops at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, settings))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads the delay by ± jitter', () => {
    const jittered = { ...settings, jitter: 0.2 };
    expect(backoffDelay(1, jittered, () => 0)).toBe(80);
    expect(backoffDelay(1, jittered, () => 1)).toBe(120);
    expect(backoffDelay(1, jittered, () => 0.5)).toBe(100);
  });

  it('treats attempt 0 like the first', () => {
    expect(backoffDelay(0, settings)).toBe(100);
  });
});
