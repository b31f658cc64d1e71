/** One projection has two `@On` handlers for the same event type. */
export class DuplicateProjectionHandlerException extends Error {
  constructor(projection: string, type: string, first: string, second: string) {
    super(
      `Projection "${projection}" handles event type "${type}" twice: ${first} and ${second}. ` +
        'Keep one handler per event type in a projection (merge them, or move one to another projection).',
    );
    this.name = 'DuplicateProjectionHandlerException';
  }
}
