import { CorrelationIds } from './client/correlation-ids';
import { localDeadline, remainingBudgetMs } from './rpc-deadline';

describe('deadlines across clocks', () => {
  it('sends the remaining budget and rebuilds the deadline on the receiver\'s clock', () => {
    const callerNow = 5_000_000;
    const budget = remainingBudgetMs(callerNow + 1500, callerNow);
    expect(budget).toBe(1500);
    expect(remainingBudgetMs(callerNow - 10, callerNow)).toBe(0);
    // The server's clock is ten minutes ahead or behind: its deadline is still 1.5 s after receipt.
    for (const serverNow of [callerNow + 600_000, callerNow - 600_000]) {
      expect(localDeadline(String(budget), String(callerNow + 1500), serverNow)).toBe(serverNow + 1500);
    }
  });

  it('falls back to the absolute deadline of older callers, and to nothing', () => {
    expect(localDeadline(undefined, '1234', 99)).toBe(1234);
    expect(localDeadline('', 1234, 99)).toBe(1234);
    expect(localDeadline('nope', undefined, 99)).toBeUndefined();
    expect(localDeadline(undefined, undefined, 99)).toBeUndefined();
  });
});

describe('CorrelationIds', () => {
  it('never repeats across two process starts', () => {
    const first = new CorrelationIds();
    const second = new CorrelationIds();
    const ids = new Set([...Array.from({ length: 100 }, () => first.next()), ...Array.from({ length: 100 }, () => second.next())]);
    expect(ids.size).toBe(200);
  });
});
