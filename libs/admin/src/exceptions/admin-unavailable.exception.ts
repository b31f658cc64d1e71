/** An admin call needs a part of the app that is not there (the outbox, projections, a DataSource). */
export class AdminUnavailableException extends Error {
  constructor(what: string, fix: string) {
    super(`${what} is not available here: ${fix}`);
    this.name = 'AdminUnavailableException';
  }
}
