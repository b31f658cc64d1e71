import { PendingCalls } from './pending-calls';

describe('PendingCalls', () => {
  it('settles each call once: by reply, by deadline or by closeAll', async () => {
    const pending = new PendingCalls();
    const errors = (id: string) => ({ deadline: () => new Error(`deadline ${id}`), closed: () => new Error(`closed ${id}`) });
    const replied = pending.wait('a', 10_000, errors('a'));
    expect(pending.settle('a', { ok: true, result: 1 })).toBe(true);
    expect(pending.settle('a', { ok: true, result: 2 })).toBe(false);
    await expect(replied).resolves.toEqual({ ok: true, result: 1 });

    const expired = pending.wait('b', 1, errors('b'));
    await expect(expired).rejects.toThrow('deadline b');
    expect(pending.settle('b', { ok: true, result: 3 })).toBe(false);

    const abandoned = pending.wait('c', 10_000, errors('c'));
    pending.closeAll();
    await expect(abandoned).rejects.toThrow('closed c');
    expect(pending.size).toBe(0);
  });
});
