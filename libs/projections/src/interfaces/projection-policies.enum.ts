/** What a projection does with a message it cannot apply (undecodable, invalid, or a handler failing past its retries). */
export enum ProjectionFailurePolicy {
  /** Send it to the dead-letter topic with the reason in headers and go on with the next message. */
  DeadLetter = 'dead-letter',
  /** Roll the batch back and stop the projection (status `failed`); nothing after it is applied. */
  Stop = 'stop',
}

/** What a projection does with an event type none of its `@On` handlers takes. */
export enum UnknownEventPolicy {
  /** Skip it (the checkpoint still moves past it). */
  Ignore = 'ignore',
  /** Dead-letter it with reason `unknown-type`. */
  DeadLetter = 'dead-letter',
}

/** Why a message went to the dead-letter topic (`tributary-dlq-reason` header). */
export type DeadLetterReason = 'undecodable' | 'invalid' | 'unknown-type' | 'unsupported-version' | 'handler-failed';

/** Every life-cycle state of a projection (the `state` label of `tributary_projection_state`). */
export const PROJECTION_STATES = ['idle', 'waiting-for-topics', 'starting', 'running', 'rebuilding', 'stopped', 'failed'] as const;

/**
 * Life-cycle of a projection on one instance. `waiting-for-topics`: a source topic does not exist
 * yet (its publisher creates it); the projection starts by itself once it does.
 */
export type ProjectionState = (typeof PROJECTION_STATES)[number];
