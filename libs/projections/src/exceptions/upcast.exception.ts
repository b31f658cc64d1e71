/** An event's schema version cannot be brought to the version its handler expects. */
export class UpcastException extends Error {
  constructor(
    readonly eventType: string,
    readonly fromVersion: number,
    readonly targetVersion: number,
    detail: string,
  ) {
    super(`Cannot upcast "${eventType}" from version ${fromVersion} to ${targetVersion}: ${detail}`);
    this.name = 'UpcastException';
  }
}
