/** Bad command-line arguments: exit code 2, and the message says what to type instead. */
export class CliUsageError extends Error {
  constructor(
    message: string,
    /** The usage line of the command, e.g. `tributary outbox dead requeue --id N... | --all | --type T`. */
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'CliUsageError';
  }
}
