/** What a handler knows about the call besides the request (second handler argument, `switchToRpc().getContext()`). */
export class RpcContext {
  constructor(
    /** Method name. */
    readonly method: string,
    /** Correlation id of the call. */
    readonly correlationId: string,
    /**
     * Epoch ms, on this server's clock, after which the caller has given up: receipt time plus the
     * budget the caller sent (clocks of caller and server are never compared).
     */
    readonly deadline: number,
    /** Transport the request came over (`kafka`, `tcp`). */
    readonly transport: string,
    /** Other headers sent by the caller. */
    readonly headers: Readonly<Record<string, string>>,
  ) {}

  /** Milliseconds left before the caller gives up (negative when past). */
  remainingMs(now = Date.now()): number {
    return this.deadline - now;
  }
}
