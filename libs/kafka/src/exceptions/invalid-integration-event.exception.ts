/** One failed rule of an event, e.g. `{ property: 'quantity', constraints: ['quantity must be a positive number'] }`. */
export interface EventViolation {
  property: string;
  constraints: string[];
}

/**
 * An event that cannot be published or applied: not an `@IntegrationEvent`, failing its
 * class-validator rules, or with a payload JSON cannot carry. Nothing was written.
 */
export class InvalidIntegrationEventException extends Error {
  constructor(
    message: string,
    readonly eventType?: string,
    readonly violations: EventViolation[] = [],
  ) {
    super(message);
    this.name = 'InvalidIntegrationEventException';
  }
}
