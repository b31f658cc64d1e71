/** An admin call got arguments it cannot act on; the message says what to pass instead. */
export class AdminArgumentException extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminArgumentException';
  }
}
