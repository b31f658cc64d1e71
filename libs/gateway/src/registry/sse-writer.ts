import type { IncomingMessage, ServerResponse } from 'node:http';

/** The Node request and response under an Express or Fastify request/reply. */
export function rawHttpPair(request: unknown, response: unknown): { request: IncomingMessage; response: ServerResponse } {
  const reply = response as { raw?: ServerResponse; hijack?: () => void };
  // Fastify: take the reply over, so Fastify neither answers nor complains that nothing was sent.
  if (typeof reply.hijack === 'function') reply.hijack();
  return {
    request: ((request as { raw?: IncomingMessage }).raw ?? request) as IncomingMessage,
    response: (reply.raw ?? response) as ServerResponse,
  };
}

/** Writes Server-Sent Events to a Node response: headers once, then events and comment lines. */
export class SseWriter {
  private ended = false;

  constructor(private readonly response: ServerResponse) {}

  /** Status, headers and the client's reconnect delay. */
  open(retryMs: number): void {
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx buffers responses unless told not to.
      'X-Accel-Buffering': 'no',
    });
    this.write(`retry: ${retryMs}\n\n`);
  }

  /** One event: `id`, `event` and one `data` line of JSON. */
  event(id: number, type: string, data: unknown): void {
    this.write(`id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** A comment line (clients ignore it; it keeps proxies and load balancers from closing an idle stream). */
  comment(text: string): void {
    this.write(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`);
  }

  get isEnded(): boolean {
    return this.ended || this.response.writableEnded || this.response.destroyed;
  }

  end(): void {
    if (this.isEnded) return;
    this.ended = true;
    this.response.end();
  }

  private write(text: string): void {
    if (!this.isEnded) this.response.write(text);
  }
}
