import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { DiscoveryClient, type ServiceInstance } from '@tributary/discovery';
import type { Subscription } from 'rxjs';
import { REGISTRY_HTTP_SETTINGS, type RegistryHttpSettings } from './registry-http-settings';
import { diffInstances, registryServices } from './registry-view';
import { rawHttpPair, SseWriter } from './sse-writer';

/** Reconnect delay suggested to clients, ms. */
const RETRY_MS = 3000;

interface OpenStream {
  writer: SseWriter;
  subscription?: Subscription;
  heartbeat: NodeJS.Timeout;
}

/**
 * The live `/stream` responses: a `snapshot` event, then a `change` event per registry change
 * (who joined, left or changed, and the new instance list), and a heartbeat comment meanwhile.
 * Every stream is ended before the app shuts its HTTP server down.
 */
@Injectable()
export class RegistryEventStreams implements BeforeApplicationShutdown {
  private readonly open = new Set<OpenStream>();
  private closing = false;

  constructor(
    private readonly discovery: DiscoveryClient,
    @Inject(REGISTRY_HTTP_SETTINGS) private readonly settings: RegistryHttpSettings,
  ) {}

  /** Number of open streams. */
  get size(): number {
    return this.open.size;
  }

  /** Take the response over and stream the registry (of `service` only, when given) to it. */
  start(request: unknown, response: unknown, service?: string): void {
    const raw = rawHttpPair(request, response);
    const writer = new SseWriter(raw.response);
    writer.open(RETRY_MS);
    if (this.closing) {
      writer.end();
      return;
    }
    const stream: OpenStream = {
      writer,
      heartbeat: setInterval(() => writer.comment(`heartbeat ${new Date().toISOString()}`), this.settings.streamHeartbeatMs),
    };
    this.open.add(stream);
    raw.response.once('close', () => this.stop(stream));
    let sequence = 0;
    let previous: ServiceInstance[] | undefined;
    stream.subscription = this.discovery.watch(service).subscribe({
      next: (instances) => {
        const at = new Date().toISOString();
        if (previous === undefined) writer.event(++sequence, 'snapshot', { at, services: registryServices(instances) });
        else writer.event(++sequence, 'change', { at, ...diffInstances(previous, instances), services: registryServices(instances) });
        previous = instances;
      },
      // The registry reader stopped (app shutdown): nothing more will come.
      complete: () => this.stop(stream),
      error: () => this.stop(stream),
    });
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const stream of [...this.open]) this.stop(stream);
  }

  private stop(stream: OpenStream): void {
    if (!this.open.delete(stream)) return;
    clearInterval(stream.heartbeat);
    stream.subscription?.unsubscribe();
    stream.writer.end();
  }
}
