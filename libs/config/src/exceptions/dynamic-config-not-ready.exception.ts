/** The configuration topic could not be read up to its end in time; the app would otherwise run on stale values. */
export class DynamicConfigNotReadyException extends Error {
  constructor(topic: string, timeoutMs: number) {
    super(
      `Configuration topic "${topic}" was not read to its end within ${timeoutMs} ms. ` +
        'Check that the brokers are reachable, or raise `readyTimeoutMs` in DynamicConfigModule.forRoot.',
    );
    this.name = 'DynamicConfigNotReadyException';
  }
}
