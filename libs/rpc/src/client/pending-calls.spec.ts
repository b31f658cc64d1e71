import { PendingCalls } from './pending-calls';

describe('PendingCalls', () => {
  it('settles each call once: by reply, by deadline or by failAll', async () => {
    const pending = new PendingCalls();
    const replied = pending.wait('a', 10_000, () => new Error('late'));
    expect(pending.settle('a', { ok: true, result: 1 })).toBe(true);
    expect(pending.settle('a', { ok: true, result: 2 })).toBe(false);
    await expect(replied).resolves.toEqual({ ok: true, result: 1 });

    const expired = pending.wait('b', 1, () => new Error('deadline'));
    await expect(expired).rejects.toThrow('deadline');
    expect(pending.settle('b', { ok: true, result: 3 })).toBe(false);

    const abandoned = pending.wait('c', 10_000, () => new Error('late'));
    pending.failAll((id) => new Error(`closed ${id}`));
    await expect(abandoned).rejects.toThrow('closed c');
    expect(pending.size).toBe(0);
  });
});
