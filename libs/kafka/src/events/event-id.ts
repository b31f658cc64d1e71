import { randomFillSync } from 'node:crypto';

const POOL_IDS = 256;
const pool = Buffer.alloc(POOL_IDS * 10);
let poolIndex = POOL_IDS;
let lastMs = -1;
let counter = 0;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A new event id: a UUIDv7 (RFC 9562) — 48 bits of Unix milliseconds, a 12-bit counter that keeps
 * ids of one process strictly increasing within a millisecond, then 62 random bits. Time-ordered
 * ids land next to each other in the B-tree indexes that hold them (the outbox table, every
 * consumer's inbox), where random (v4) ids touch a random page per insert: on PostgreSQL a
 * projection's inbox insert is markedly cheaper once the index outgrows the cache.
 */
export function newEventId(now = Date.now()): string {
  if (poolIndex === POOL_IDS) {
    randomFillSync(pool);
    poolIndex = 0;
  }
  const r = poolIndex++ * 10;
  if (now > lastMs) {
    lastMs = now;
    // A random start in the lower half leaves room to count up within the millisecond.
    counter = ((pool[r] << 8) | pool[r + 1]) & 0x7ff;
  } else if (++counter > 0xfff) {
    // 4,096 ids in one millisecond: borrow the next one (the clock catches up).
    lastMs++;
    counter = 0;
  }
  const ms = lastMs;
  const high = Math.floor(ms / 0x10000);
  const b = [
    (high >>> 24) & 0xff,
    (high >>> 16) & 0xff,
    (high >>> 8) & 0xff,
    high & 0xff,
    (ms >>> 8) & 0xff,
    ms & 0xff,
    0x70 | (counter >>> 8),
    counter & 0xff,
    0x80 | (pool[r + 2] & 0x3f),
    pool[r + 3],
    pool[r + 4],
    pool[r + 5],
    pool[r + 6],
    pool[r + 7],
    pool[r + 8],
    pool[r + 9],
  ];
  const h = b.map((x) => HEX[x]);
  return `${h[0]}${h[1]}${h[2]}${h[3]}-${h[4]}${h[5]}-${h[6]}${h[7]}-${h[8]}${h[9]}-${h[10]}${h[11]}${h[12]}${h[13]}${h[14]}${h[15]}`;
}
