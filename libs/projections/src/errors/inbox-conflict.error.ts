/**
 * Internal: the plain inbox insert of the happy path met an event id that is already there (a
 * duplicate delivery). The statement failed, so the batch is rolled back and applied again with
 * the insert that skips known ids.
 */
export class InboxConflictError extends Error {
  constructor() {
    super('the inbox already holds an event id of the batch');
    this.name = 'InboxConflictError';
  }
}
