import type { DeadLetterReason } from '../interfaces/projection-policies.enum';

/**
 * A projection with `failurePolicy: Stop` met a message it cannot apply. The batch was rolled
 * back and the projection stopped at that message; fix the cause and restart it.
 */
export class ProjectionHaltedException extends Error {
  constructor(
    readonly projection: string,
    readonly reason: DeadLetterReason,
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    detail: string,
  ) {
    super(`Projection "${projection}" stopped at ${topic}[${partition}]@${offset} (${reason}): ${detail}`);
    this.name = 'ProjectionHaltedException';
  }
}
