/**
 * Internal: a batch was left before it finished (the consumer is stopping while a handler retry
 * waits). Its transaction is rolled back and nothing is resolved: the batch is applied later from
 * the checkpoint, by this instance or the member that gets the partition.
 */
export class BatchAbortedError extends Error {
  constructor(why: string) {
    super(`batch left unfinished: ${why}`);
    this.name = 'BatchAbortedError';
  }
}
