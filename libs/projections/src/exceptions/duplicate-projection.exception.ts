/** Two `@Projection` classes use the same name (they would share checkpoints and inbox). */
export class DuplicateProjectionException extends Error {
  constructor(name: string, first: string, second: string) {
    super(`Projection name "${name}" is used by both ${first} and ${second}. Give each projection its own name.`);
    this.name = 'DuplicateProjectionException';
  }
}
