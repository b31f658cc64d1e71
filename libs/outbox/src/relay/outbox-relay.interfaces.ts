/**
 * Emitted by `OutboxRelay.shipped$` once Kafka acked a batch and the transaction marking its rows
 * published (or deleting them, with `retentionMs: 0`) committed: any connection reads them as published.
 */
export interface OutboxShippedBatch {
  /** Lanes the batch covered. */
  lanes: number[];
  /** Rows marked published by this relay (acked rows of a lane taken over by another relay after its lease expired are left out). */
  rowIds: number[];
  eventIds: string[];
  /** Epoch ms of the ack. */
  ackedAt: number;
  instanceId: string;
  /** When the batch went through each of its steps, to see where commit-to-ack time goes. */
  timings: OutboxBatchTimings;
}

/**
 * Epoch ms (sub-millisecond precision) of the steps of one relay batch, in order. A row's
 * commit-to-ack time is: wake-up (commit → `signalledAt`), queue (→ `startedAt`, waiting for a free
 * worker or for the lane's previous batch), claim (→ `claimedAt`: pool, lane lock, read, lease,
 * commit), send (→ `ackedAt`); marking it published follows (→ `markedAt`).
 */
export interface OutboxBatchTimings {
  /** The earliest of the batch's lanes was known to hold work (NOTIFY, poll, or a previous batch's leftovers). */
  signalledAt: number;
  /** A worker took the lanes. */
  startedAt: number;
  /** The claim transaction (lock, read, lease) committed; the Kafka send starts. */
  claimedAt: number;
  /** Kafka acked the send. */
  ackedAt: number;
  /** The transaction marking the rows published committed. */
  markedAt: number;
}

/** Figures of the outbox and of this relay instance. */
export interface OutboxRelayMetrics {
  instanceId: string;
  /** The relay loop runs in this process. */
  running: boolean;
  /** PostgreSQL LISTEN connection is up (false elsewhere: polling). */
  listening: boolean;
  /** Last Kafka send or connect succeeded (true until one fails). */
  brokerAvailable: boolean;
  /** Last database round trip succeeded. */
  databaseAvailable: boolean;
  /** Rows never tried yet. */
  pending: number;
  /** Rows refused once or more, waiting for their next attempt. */
  retrying: number;
  /** Rows that exhausted their attempts (see `OutboxAdmin`). */
  dead: number;
  /** Age of the oldest unpublished row, ms (0 when none). */
  oldestPendingAgeMs: number;
  /** Rows this instance shipped since it started. */
  shippedTotal: number;
  /** Rows this instance shipped per second, over the last 10 s. */
  shippedPerSecond: number;
  /** Row sends the broker refused (each counts toward the row's attempts). */
  failuresTotal: number;
  /** Times the relay paused because Kafka or the database was unreachable. */
  outagesTotal: number;
}
