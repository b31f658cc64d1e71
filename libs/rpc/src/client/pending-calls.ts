import type { RpcReply } from '../errors/rpc-error.codec';

/** How a pending call ends when no reply comes. */
export interface PendingCallErrors {
  /** Its deadline passed. */
  deadline: () => Error;
  /** The client closed first. */
  closed: () => Error;
}

interface Pending {
  resolve: (reply: RpcReply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  errors: PendingCallErrors;
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

  /** Wait for the reply of `id`, for at most `timeoutMs`. */
  wait(id: string, timeoutMs: number, errors: PendingCallErrors): Promise<RpcReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.calls.delete(id)) reject(errors.deadline());
      }, Math.max(0, timeoutMs));
      this.calls.set(id, { resolve, reject, timer, errors });
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

  /** End every pending call with its `closed` error (the client shuts down). */
  closeAll(): void {
    for (const [id, call] of [...this.calls]) this.fail(id, call.errors.closed());
  }
}
