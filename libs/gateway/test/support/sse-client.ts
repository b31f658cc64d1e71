import { waitFor } from '@tributary/testing';

/** One Server-Sent Event as received. */
export interface ReceivedSseEvent {
  id?: string;
  event: string;
  data: any;
}

/**
 * A plain SSE reader over node's fetch: collects events and comment lines until closed. Tests
 * close it (abort) in afterAll or at the end of the test.
 */
export class SseClient {
  readonly events: ReceivedSseEvent[] = [];
  readonly comments: string[] = [];
  status?: number;
  contentType?: string | null;
  private readonly abort = new AbortController();
  private reading?: Promise<void>;

  constructor(private readonly url: string) {}

  async open(timeoutMs = 10_000): Promise<void> {
    const timer = setTimeout(() => this.abort.abort(), timeoutMs);
    const response = await fetch(this.url, { signal: this.abort.signal, headers: { accept: 'text/event-stream' } });
    clearTimeout(timer);
    this.status = response.status;
    this.contentType = response.headers.get('content-type');
    this.reading = this.read(response.body!.getReader()).catch(() => undefined);
  }

  /** Wait (bounded) for an event matching `predicate`. */
  next(predicate: (e: ReceivedSseEvent) => boolean, description: string, timeoutMs = 20_000): Promise<ReceivedSseEvent> {
    return waitFor(() => this.events.find(predicate), { timeoutMs, description });
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading;
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.parse(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  private parse(block: string): void {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) this.events.push({ id, event, data: JSON.parse(data.join('\n')) });
  }
}
