import type { EventEnvelope } from '@tributary/kafka';
import type { KafkaMessage } from 'kafkajs';
import type { ProjectionContext } from '../interfaces/projection-context.interface';
import type { DeadLetterReason } from '../interfaces/projection-policies.enum';
import type { ProjectionRoute } from '../routing/projection-routes';

/** Why a message cannot be applied: it goes to the dead-letter topic (or halts the projection). */
export interface MessageFailure {
  reason: DeadLetterReason;
  error: string;
  attempts: number;
}

/** A message made ready for its handler, or the reason it cannot be applied. */
export interface PreparedMessage {
  message: KafkaMessage;
  envelope?: EventEnvelope;
  route?: ProjectionRoute;
  event?: unknown;
  failure?: MessageFailure;
  context?: ProjectionContext;
}
