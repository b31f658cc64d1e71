import { context as otelContext, SpanKind, SpanStatusCode, type Context, type Link, type Span } from '@opentelemetry/api';
import {
  activeTraceparent,
  contextFromTraceparent,
  createTraceparent,
  MESSAGING_SYSTEM_KAFKA,
  MessagingAttributes,
  spanContextFromTraceparent,
  traceparentOf,
  tracingEnabled,
  TributaryHeaders,
  tributaryTracer,
} from '@tributary/kafka';
import type { TopicMessages } from 'kafkajs';

/**
 * The trace side of one `publish` call: a `create <topic>` PRODUCER span per event, whose context
 * is stored with the row as its `traceparent` header. Parent: the caller's `traceparent` option,
 * else the active context. Without an SDK the spans are no-ops and the header is the active
 * context's traceparent (or a child of the option's, or a fresh one), as before tracing existed.
 */
export class OutboxPublishTrace {
  private readonly parent: Context;
  private readonly spans: Span[] = [];
  /** Without an SDK no span is created at all (they would all be no-ops). */
  private readonly traced = tracingEnabled();

  constructor(private readonly explicitTraceparent: string | undefined) {
    const active = otelContext.active();
    this.parent = explicitTraceparent ? contextFromTraceparent(explicitTraceparent, active) : active;
  }

  /** Start the event's `create` span; returns the traceparent to store with it. */
  startEvent(topic: string, eventId: string, key: string | null): string {
    if (!this.traced) return this.untracedTraceparent();
    const span = tributaryTracer().startSpan(
      `create ${topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          [MessagingAttributes.SYSTEM]: MESSAGING_SYSTEM_KAFKA,
          [MessagingAttributes.OPERATION_TYPE]: 'create',
          [MessagingAttributes.OPERATION_NAME]: 'create',
          [MessagingAttributes.DESTINATION_NAME]: topic,
          [MessagingAttributes.MESSAGE_ID]: eventId,
          ...(key === null ? {} : { [MessagingAttributes.KAFKA_MESSAGE_KEY]: key }),
        },
      },
      this.parent,
    );
    this.spans.push(span);
    if (span.isRecording()) {
      const own = traceparentOf(span.spanContext());
      if (own) return own;
    }
    return this.untracedTraceparent();
  }

  /** The header when no span records: a child of the option's traceparent, the active one, or a fresh one. */
  private untracedTraceparent(): string {
    return this.explicitTraceparent ? createTraceparent(this.explicitTraceparent) : (activeTraceparent(this.parent) ?? createTraceparent());
  }

  /** The rows were written (`error` undefined) or the call failed. Ends every span. */
  end(error?: unknown): void {
    for (const span of this.spans) {
      if (error !== undefined) failSpan(span, error);
      span.end();
    }
  }
}

/**
 * The trace side of one relay send: a `send <topic>` PRODUCER span per topic of the batch, each
 * linked to the stored context (`traceparent` header) of every row it carries. Links are built
 * only when the span records, so without an SDK there is no per-row work.
 */
export class OutboxSendTrace {
  private readonly spans = new Map<string, Span>();

  constructor(batch: TopicMessages[]) {
    if (!tracingEnabled()) return;
    const tracer = tributaryTracer();
    for (const { topic, messages } of batch) {
      const span = tracer.startSpan(`send ${topic}`, {
        kind: SpanKind.PRODUCER,
        attributes: {
          [MessagingAttributes.SYSTEM]: MESSAGING_SYSTEM_KAFKA,
          [MessagingAttributes.OPERATION_TYPE]: 'send',
          [MessagingAttributes.OPERATION_NAME]: 'send',
          [MessagingAttributes.DESTINATION_NAME]: topic,
          [MessagingAttributes.BATCH_MESSAGE_COUNT]: messages.length,
        },
      }, otelContext.active());
      if (span.isRecording()) span.addLinks(linksOf(messages));
      this.spans.set(topic, span);
    }
  }

  /** End the spans; topics in `failed` (or all, when `failed` is 'all') get status ERROR with `error`. */
  end(failed: ReadonlySet<string> | 'all', error?: unknown): void {
    for (const [topic, span] of this.spans) {
      if (failed === 'all' || failed.has(topic)) failSpan(span, error);
      span.end();
    }
  }
}

/** Links to the stored trace contexts of `messages` (those with a valid `traceparent` header). */
export function linksOf(messages: TopicMessages['messages']): Link[] {
  const links: Link[] = [];
  for (const message of messages) {
    const header = message.headers?.[TributaryHeaders.TRACEPARENT];
    const value = Array.isArray(header) ? header[0] : header;
    const spanContext = spanContextFromTraceparent(value === undefined ? undefined : value.toString());
    if (spanContext) links.push({ context: spanContext });
  }
  return links;
}

function failSpan(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const message = error instanceof Error ? error.message : error === undefined ? undefined : String(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute(MessagingAttributes.ERROR_TYPE, error instanceof Error ? error.name : 'error');
  if (error instanceof Error) span.recordException(error);
}
