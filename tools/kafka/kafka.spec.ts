// eslint-disable-next-line @typescript-eslint/no-require-imports
const { newClusterId } = require('./kafka.js') as { newClusterId(randomBytes?: (size: number) => Buffer): string };

describe('tools/kafka cluster ids', () => {
  it('never gives an id that kafka-storage would take for an option (a leading "-")', () => {
    // A first byte of 0xf8 makes the base64url text start with '-': that draw is skipped.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
    expect(draws[0].toString('base64url').startsWith('-')).toBe(true);
    const id = newClusterId(() => draws.shift()!);
    expect(id).toBe(Buffer.alloc(16, 0x01).toString('base64url'));
    expect(draws).toHaveLength(0);
  });
});
