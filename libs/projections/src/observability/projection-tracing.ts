import {
  context as otelContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { contextFromTraceparent, MESSAGING_SYSTEM_KAFKA, MessagingAttributes, spanContextFromTraceparent, tributaryTracer } from '@tributary/kafka';

/** Where a consumed message came from, for the span attributes. */
export interface ProcessedMessage {
  topic: string;
  partition: number;
  offset: string;
  groupId: string;
  eventId: string;
  key: string | null;
  traceparent?: string;
}

/** A started span and the context that makes it active (run the handler in it). */
export interface ActiveSpan {
  span: Span;
  context: Context;
}

function processAttributes(topic: string, partition: number, groupId: string): Attributes {
  return {
    [MessagingAttributes.SYSTEM]: MESSAGING_SYSTEM_KAFKA,
    [MessagingAttributes.OPERATION_TYPE]: 'process',
    [MessagingAttributes.OPERATION_NAME]: 'process',
    [MessagingAttributes.DESTINATION_NAME]: topic,
    [MessagingAttributes.DESTINATION_PARTITION_ID]: String(partition),
    [MessagingAttributes.CONSUMER_GROUP_NAME]: groupId,
  };
}

/** `process <topic>` (CONSUMER) for one event, child of the message's `traceparent`. */
export function startProcessSpan(message: ProcessedMessage): ActiveSpan {
  const parent = contextFromTraceparent(message.traceparent, otelContext.active());
  const attributes = processAttributes(message.topic, message.partition, message.groupId);
  attributes[MessagingAttributes.KAFKA_OFFSET] = Number(message.offset);
  attributes[MessagingAttributes.MESSAGE_ID] = message.eventId;
  if (message.key !== null) attributes[MessagingAttributes.KAFKA_MESSAGE_KEY] = message.key;
  const span = tributaryTracer().startSpan(`process ${message.topic}`, { kind: SpanKind.CONSUMER, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * `process <topic>` (CONSUMER) for one `@OnBatch` run: the messages have their own traces, so the
 * span links to each message's context instead of having one of them as parent.
 */
export function startBatchProcessSpan(topic: string, partition: number, groupId: string, traceparents: ReadonlyArray<string | undefined>): ActiveSpan {
  const links: Link[] = [];
  for (const traceparent of traceparents) {
    const spanContext = spanContextFromTraceparent(traceparent);
    if (spanContext) links.push({ context: spanContext });
  }
  const attributes = processAttributes(topic, partition, groupId);
  attributes[MessagingAttributes.BATCH_MESSAGE_COUNT] = traceparents.length;
  const parent = otelContext.active();
  const span = tributaryTracer().startSpan(`process ${topic}`, { kind: SpanKind.CONSUMER, attributes, links }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** A handler threw: status ERROR with the error's message and type (never the event's payload). */
export function failSpan(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const message = error instanceof Error ? error.message : String(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute(MessagingAttributes.ERROR_TYPE, error instanceof Error ? error.constructor.name : 'error');
  span.recordException(error instanceof Error ? error : { message });
}
