/**
 * `OutboxPublisher.publish` was given an `EntityManager` that is not inside a transaction.
 * The event must be stored atomically with the business write, so nothing was written.
 */
export class OutboxTransactionRequiredException extends Error {
  constructor() {
    super(
      'OutboxPublisher.publish needs the EntityManager of an active transaction: call it inside ' +
        'dataSource.transaction(async (manager) => { ...; await outbox.publish(manager, event); }). Nothing was written.',
    );
    this.name = 'OutboxTransactionRequiredException';
  }
}
