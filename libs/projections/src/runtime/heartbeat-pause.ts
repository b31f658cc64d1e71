import type { ConsumedBatch } from '@tributary/kafka';
import { BatchAbortedError } from '../errors/batch-aborted.error';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What keeps the group member alive while a batch waits: the batch's heartbeat and running flag. */
export type KeepAlive = Pick<ConsumedBatch, 'heartbeat' | 'isRunning'>;

/**
 * Waits inside a batch in slices, heartbeating between them, so a wait longer than the session
 * timeout does not get the member expelled from its group.
 */
export class HeartbeatPause {
  private readonly sliceMs: number;

  /** `heartbeatInterval`: the consumer's; the pause heartbeats at least twice per interval. */
  constructor(heartbeatInterval: number) {
    // kafkajs sends a heartbeat only once `heartbeatInterval` has passed since the last one, so
    // asking twice per interval keeps the gap between two heartbeats under 1.5 intervals.
    this.sliceMs = Math.max(10, Math.floor(heartbeatInterval / 2));
  }

  /**
   * Wait `ms`. A consumer that is stopping ends the wait with `BatchAbortedError` (the batch rolls
   * back and is applied later from the checkpoint); a heartbeat refused during a rebalance throws too.
   */
  async wait(ms: number, keepAlive: KeepAlive): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      await keepAlive.heartbeat();
      const left = until - Date.now();
      if (left <= 0) return;
      if (!keepAlive.isRunning()) throw new BatchAbortedError('the consumer is stopping');
      await sleep(Math.min(left, this.sliceMs));
    }
  }
}
