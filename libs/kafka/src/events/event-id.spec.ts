import { newEventId } from './event-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The Unix milliseconds in a UUIDv7's first 48 bits. */
const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newEventId', () => {
  it('is a UUIDv7 carrying the time it was made', () => {
    const before = Date.now();
    const id = newEventId();
    expect(id).toMatch(UUID_V7);
    expect(msOf(id)).toBeGreaterThanOrEqual(before);
    expect(msOf(id)).toBeLessThanOrEqual(Date.now() + 1);
    expect(msOf(newEventId(Date.UTC(2030, 0, 1)))).toBe(Date.UTC(2030, 0, 1));
  });

  it('increases strictly, also within one millisecond and past 4,096 ids in it', () => {
    const at = Date.UTC(2031, 5, 1);
    const ids = Array.from({ length: 10_000 }, () => newEventId(at));
    for (let i = 1; i < ids.length; i++) expect([i, ids[i] > ids[i - 1]]).toEqual([i, true]);
    // The ids that did not fit the millisecond's counter moved on to the next milliseconds.
    expect(msOf(ids[ids.length - 1])).toBeGreaterThan(at);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });

  it('never goes back when the clock does', () => {
    const first = newEventId(Date.UTC(2032, 0, 1));
    expect(newEventId(Date.UTC(2032, 0, 1) - 5000) > first).toBe(true);
  });
});
