/** A projection name that no `@Projection` class of this app declares. */
export class UnknownProjectionException extends Error {
  constructor(name: string, known: string[]) {
    super(`No projection named "${name}"; this app has: ${known.length ? known.join(', ') : '(none)'}.`);
    this.name = 'UnknownProjectionException';
  }
}
