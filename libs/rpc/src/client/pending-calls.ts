import type { RpcReply } from '../errors/rpc-error.codec';

interface Pending {
  resolve: (reply: RpcReply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Calls waiting for their reply, by correlation id. Every call ends exactly once: with its reply,
 * at its deadline, or when the client closes.
 */
export class PendingCalls {
  private readonly calls = new Map<string, Pending>();

  get size(): number {
    return this.calls.size;
  }

  /** Wait for the reply of `id`; `onDeadline` builds the error thrown when `timeoutMs` passes first. */
  wait(id: string, timeoutMs: number, onDeadline: () => Error): Promise<RpcReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.calls.delete(id)) reject(onDeadline());
      }, Math.max(0, timeoutMs));
      this.calls.set(id, { resolve, reject, timer });
    });
  }

  /** Deliver a reply; false when nobody waits for it any more (late or duplicate reply). */
  settle(id: string, reply: RpcReply): boolean {
    const call = this.calls.get(id);
    if (!call) return false;
    this.calls.delete(id);
    clearTimeout(call.timer);
    call.resolve(reply);
    return true;
  }

  /** End one call with an error (e.g. the request could not be sent). */
  fail(id: string, error: Error): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    clearTimeout(call.timer);
    call.reject(error);
  }

  /** End every pending call with the error built for it. */
  failAll(error: (id: string) => Error): void {
    for (const id of [...this.calls.keys()]) this.fail(id, error(id));
  }
}
