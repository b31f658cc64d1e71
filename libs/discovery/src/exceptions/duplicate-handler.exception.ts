/** Two discovered handlers claim the same id (an RPC method, an event consumer name, ...). */
export class DuplicateHandlerException extends Error {
  constructor(
    readonly kind: string,
    readonly id: string,
    readonly first: string,
    readonly second: string,
  ) {
    super(`${kind} "${id}" is declared twice: by ${first} and by ${second}. Keep one of them or give the other another name.`);
    this.name = 'DuplicateHandlerException';
  }
}
