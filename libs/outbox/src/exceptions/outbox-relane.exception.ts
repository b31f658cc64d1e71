/** `OutboxAdmin.relane` could not take every lane. Nothing was changed; the message says why. */
export class OutboxRelaneException extends Error {
  constructor(
    readonly tableName: string,
    reason: string,
  ) {
    super(`Re-laning the outbox table "${tableName}" failed, nothing was changed: ${reason}`);
    this.name = 'OutboxRelaneException';
  }
}
