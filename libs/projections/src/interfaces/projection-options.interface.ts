import type { EntityTarget } from 'typeorm';
import type { ProjectionFailurePolicy, UnknownEventPolicy } from './projection-policies.enum';

/** Options of `@Projection`. Unset fields fall back to the module options. */
export interface ProjectionOptions {
  /** Stable name (checkpoints, inbox and the consumer group are keyed on it): `[a-zA-Z0-9._-]`, 1-100 chars. */
  name: string;
  /**
   * Topics to consume.
   * @default the topics of the `@IntegrationEvent` classes named in its `@On` handlers
   */
  topics?: string[];
  /**
   * Read-model tables this projection owns: emptied by `rebuild` before the replay.
   * Entity classes / schemas or table names.
   * @default [] (rebuild then only resets checkpoints and inbox)
   */
  tables?: Array<EntityTarget<unknown> | string>;
  /**
   * Consumer group id.
   * @default `${groupIdPrefix}${name}`
   */
  groupId?: string;
  /** Dead-letter topic, or a function of the source topic. @default module `deadLetterTopic` */
  deadLetterTopic?: string | ((topic: string) => string);
  /** @default module `failurePolicy` */
  failurePolicy?: ProjectionFailurePolicy;
  /** @default module `unknownEventPolicy` */
  unknownEventPolicy?: UnknownEventPolicy;
  /** @default module `maxAttempts` */
  maxAttempts?: number;
  /** Handler calls slower than this (ms) are logged at `warn`; 0 turns the log off. @default module `slowHandlerThresholdMs` */
  slowHandlerThresholdMs?: number;
}
