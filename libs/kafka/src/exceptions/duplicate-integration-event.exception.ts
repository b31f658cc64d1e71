/** Two classes declare the same event type and version. */
export class DuplicateIntegrationEventException extends Error {
  constructor(type: string, version: number, first: string, second: string) {
    super(
      `Event type "${type}" version ${version} is declared by both ${first} and ${second}. ` +
        'Give one of them another type or version.',
    );
    this.name = 'DuplicateIntegrationEventException';
  }
}
