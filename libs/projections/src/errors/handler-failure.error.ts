/**
 * Internal: a handler threw while the batch ran without savepoints. The batch is rolled back and
 * applied again with one savepoint per event, so only the failing event's writes are undone.
 */
export class HandlerFailureError extends Error {
  constructor(override readonly cause: unknown) {
    super(`handler failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'HandlerFailureError';
  }
}
