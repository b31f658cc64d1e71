import { throttledRead } from './throttled-read';

describe('throttledRead', () => {
  it('reads again only after the interval and shares one read in flight', async () => {
    let clock = 0;
    let reads = 0;
    const read = throttledRead(async () => ++reads, 1000, () => clock);
    expect(await Promise.all([read(), read()])).toEqual([1, 1]);
    clock = 999;
    expect(await read()).toBe(1);
    clock = 1000;
    expect(await read()).toBe(2);
    expect(reads).toBe(2);
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    const read = throttledRead(async () => {
      if (fail) throw new Error('db down');
      return 7;
    }, 60_000);
    await expect(read()).rejects.toThrow('db down');
    fail = false;
    expect(await read()).toBe(7);
  });
});
