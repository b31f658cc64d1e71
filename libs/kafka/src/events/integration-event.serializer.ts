import { validateSync, type ValidationError } from 'class-validator';
import { InvalidIntegrationEventException, type EventViolation } from '../exceptions/invalid-integration-event.exception';
import { getIntegrationEventMetadata, type IntegrationEventMetadata } from './integration-event.decorator';
import { validationPlanOf } from './event-validation-plan';
import { plainToEvent } from './plain-to-event';

/** An event checked and turned into what goes on the wire. */
export interface SerializedIntegrationEvent {
  metadata: IntegrationEventMetadata;
  /** Partitioning key, or null. */
  key: string | null;
  /** JSON-safe copy of the event's data. */
  payload: Record<string, unknown>;
}

function violationsOf(errors: ValidationError[], prefix = ''): EventViolation[] {
  const out: EventViolation[] = [];
  for (const error of errors) {
    const property = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) out.push({ property, constraints: Object.values(error.constraints) });
    if (error.children?.length) out.push(...violationsOf(error.children, property));
  }
  return out;
}

function assertValid(event: object, type: string): void {
  // The compiled plan only ever accepts faster: a rejection (or any doubt) is class-validator's call.
  if (validationPlanOf(event.constructor)?.(event) === true) return;
  const errors = validateSync(event, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const violations = violationsOf(errors);
    const text = violations.map((v) => `${v.property}: ${v.constraints.join(', ')}`).join('; ');
    throw new InvalidIntegrationEventException(`Event "${type}" is invalid: ${text}`, type, violations);
  }
}

/** The partitioning key of `event` by its metadata, as a string or null. */
export function integrationEventKey(metadata: IntegrationEventMetadata, event: object): string | null {
  const selector = metadata.key;
  if (selector === undefined) return null;
  const raw = typeof selector === 'function' ? selector(event) : (event as Record<string, unknown>)[selector];
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'bigint') {
    throw new InvalidIntegrationEventException(
      `Event "${metadata.type}" has a key of type ${typeof raw}; the key must be a string or a number`,
      metadata.type,
    );
  }
  return String(raw);
}

/**
 * Check an event before it is published: it must be an instance of an `@IntegrationEvent` class,
 * pass its class-validator rules and survive JSON. Throws `InvalidIntegrationEventException`.
 */
export function serializeIntegrationEvent(event: unknown): SerializedIntegrationEvent {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new InvalidIntegrationEventException(
      `Expected an instance of an @IntegrationEvent class, got ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}`,
    );
  }
  const metadata = getIntegrationEventMetadata(event);
  if (!metadata) {
    throw new InvalidIntegrationEventException(
      `${event.constructor?.name ?? 'Object'} is not an integration event: decorate its class with @IntegrationEvent({ type, topic })` +
        ' and pass an instance (new MyEvent(...)), not a plain object',
    );
  }
  assertValid(event, metadata.type);
  let text: string | undefined;
  try {
    text = JSON.stringify(event);
  } catch (e) {
    throw new InvalidIntegrationEventException(
      `Event "${metadata.type}" cannot be serialised to JSON: ${(e as Error).message}`,
      metadata.type,
    );
  }
  if (text === undefined) {
    throw new InvalidIntegrationEventException(`Event "${metadata.type}" serialises to nothing`, metadata.type);
  }
  return { metadata, key: integrationEventKey(metadata, event), payload: JSON.parse(text) as Record<string, unknown> };
}

/**
 * Build an event instance of `target` from a decoded payload and validate it (consumers and RPC
 * servers call this). Throws `InvalidIntegrationEventException` listing the failed rules.
 */
export function materializeIntegrationEvent<T extends object>(
  target: new (...args: any[]) => T,
  payload: unknown,
  options: { validate?: boolean } = {},
): T {
  const type = getIntegrationEventMetadata(target)?.type ?? target.name;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new InvalidIntegrationEventException(`Payload of "${type}" must be a JSON object`, type);
  }
  const instance = plainToEvent(target, payload as Record<string, unknown>);
  if (options.validate ?? true) assertValid(instance, type);
  return instance;
}
