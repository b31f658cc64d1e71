/**
 * Lane of a partitioning key: 32-bit FNV-1a of its UTF-8 bytes modulo `lanes`. Stable across
 * processes and versions, since rows are stored with it and relays rely on it for ordering.
 */
export function laneOfKey(key: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % lanes;
}

/** Lane of an event: by key, or by event id for events without a key (they have no order to keep). */
export function laneOfEvent(key: string | null, eventId: string, lanes: number): number {
  return laneOfKey(key ?? eventId, lanes);
}
