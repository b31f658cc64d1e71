/** `set`/`delete` was called in a way that cannot be written (no actor, another service's entry). Nothing was written. */
export class ConfigWriteRefusedException extends Error {
  constructor(
    /** Record key of the entry, `<service>/<entry>`. */
    readonly key: string,
    reason: string,
  ) {
    super(`Configuration entry "${key}" was not written: ${reason}`);
    this.name = 'ConfigWriteRefusedException';
  }
}
