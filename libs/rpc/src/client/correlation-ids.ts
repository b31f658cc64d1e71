import { randomBytes } from 'node:crypto';

/**
 * Correlation ids that never repeat across processes or restarts: a random prefix drawn once per
 * process start, then a counter. A caller restarted with the same instance id (so the same reply
 * topic) can never take an old reply for one of its new calls.
 */
export class CorrelationIds {
  private readonly prefix = randomBytes(9).toString('base64url');
  private sequence = 0;

  next(): string {
    return `${this.prefix}.${(++this.sequence).toString(36)}`;
  }
}
