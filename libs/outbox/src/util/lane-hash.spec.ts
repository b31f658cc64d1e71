import { laneOfEvent, laneOfKey } from './lane-hash';

describe('laneOfKey', () => {
  it('is the 32-bit FNV-1a of the UTF-8 key modulo the lane count (stable across versions)', () => {
    // Reference values of FNV-1a 32: "" -> 0x811c9dc5, "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968.
    expect(laneOfKey('', 2 ** 31)).toBe(0x811c9dc5 % 2 ** 31);
    expect(laneOfKey('a', 1_000_003)).toBe(0xe40c292c % 1_000_003);
    expect(laneOfKey('foobar', 64)).toBe(0xbf9cf968 % 64);
  });

  it('hashes multi-byte characters by their UTF-8 bytes', () => {
    expect(laneOfKey('é', 1_000_003)).not.toBe(laneOfKey('\u00e9'.normalize('NFD'), 1_000_003));
  });

  it('spreads keys over all lanes', () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[laneOfKey(`order-${i}`, 16)]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });

  it('uses the event id for events without a key', () => {
    expect(laneOfEvent(null, 'event-1', 64)).toBe(laneOfKey('event-1', 64));
    expect(laneOfEvent('k', 'event-1', 64)).toBe(laneOfKey('k', 64));
  });
});
