import { backoffDelay, type BackoffPolicy } from './backoff';

describe('backoffDelay', () => {
  const doubling: BackoffPolicy = { initialMs: 50, maxMs: 5000, multiplier: 2, jitter: 0 };

  it('doubles from initialMs and stops at maxMs', () => {
    expect([1, 2, 3, 4, 7, 8, 9, 50].map((a) => backoffDelay(a, doubling))).toEqual([50, 100, 200, 400, 3200, 5000, 5000, 5000]);
  });

  it('treats attempts below 1 as the first and never overflows', () => {
    expect(backoffDelay(0, doubling)).toBe(50);
    expect(backoffDelay(-3, doubling)).toBe(50);
    expect(backoffDelay(1_000_000, doubling)).toBe(5000);
  });

  it('spreads by ± jitter around the capped value', () => {
    const policy: BackoffPolicy = { initialMs: 1000, maxMs: 1000, multiplier: 2, jitter: 0.2 };
    expect(backoffDelay(5, policy, () => 0)).toBe(800);
    expect(backoffDelay(5, policy, () => 0.5)).toBe(1000);
    expect(backoffDelay(5, policy, () => 0.999999)).toBe(1200);
  });

  it('keeps a constant delay with multiplier 1', () => {
    expect(backoffDelay(10, { initialMs: 300, maxMs: 10_000, multiplier: 1, jitter: 0 })).toBe(300);
  });
});
