/**
 * This instance is configured with another `lanes` value than the one recorded with the outbox
 * table. A key's lane is fixed when its row is written and relays keep a key's order only inside
 * its lane, so two lane counts at once would ship one key from two lanes in parallel: the
 * instance refuses to start (and `publish` refuses to write) instead.
 */
export class OutboxLaneCountMismatchException extends Error {
  constructor(
    readonly tableName: string,
    readonly recordedLanes: number,
    readonly configuredLanes: number,
  ) {
    super(
      `The outbox table "${tableName}" is laned for ${recordedLanes} lanes but this instance is configured with lanes: ${configuredLanes}. ` +
        `Set lanes: ${recordedLanes} to match, or change the table's lane count first with OutboxAdmin.relane(${configuredLanes}) ` +
        '(it moves unpublished rows to their new lanes while relays run; then restart every instance with the new value). ' +
        'See "Changing lanes" in the @tributary/outbox README.',
    );
    this.name = 'OutboxLaneCountMismatchException';
  }
}
