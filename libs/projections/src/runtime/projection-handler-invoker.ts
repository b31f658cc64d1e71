import type { Logger } from '@nestjs/common';
import { context as otelContext } from '@opentelemetry/api';
import { SlowOperationLogger, tracingEnabled } from '@tributary/kafka';
import type { EntityManager } from 'typeorm';
import type { ProjectionBatchItem } from '../interfaces/projection-context.interface';
import type { ProjectionMetricsRecorder } from '../observability/projection-metrics';
import { failSpan, startBatchProcessSpan, startProcessSpan, type ActiveSpan } from '../observability/projection-tracing';
import type { ProjectionRoute } from '../routing/projection-routes';
import type { PreparedMessage } from './prepared-message';
import type { ProjectionDefinition } from './projection-definition';

type HandlerMethod = (...args: unknown[]) => unknown;

/**
 * Calls a projection's handlers with what watches them: a `process <topic>` span per call (only
 * when an OpenTelemetry SDK is registered) in which the handler runs, the handler-duration
 * histogram, and the slow-handler log. Errors are rethrown for the caller's retry policy.
 */
export class ProjectionHandlerInvoker {
  private readonly slow: SlowOperationLogger;

  constructor(
    private readonly definition: ProjectionDefinition,
    private readonly metrics: ProjectionMetricsRecorder,
    logger: Logger,
  ) {
    this.slow = new SlowOperationLogger(logger, definition.options.slowHandlerThresholdMs);
  }

  /** Call the handler of a run: once per event for `@On`, once for the whole run for `@OnBatch`. */
  async invoke(manager: EntityManager, run: PreparedMessage[]): Promise<void> {
    const route = run[0].route!;
    const method = this.definition.instance[route.methodName] as HandlerMethod;
    const traced = tracingEnabled();
    if (route.batch) return this.invokeBatch(method, manager, run, route, traced);
    for (const item of run) await this.invokeOne(method, item, route, traced);
  }

  private async invokeOne(method: HandlerMethod, item: PreparedMessage, route: ProjectionRoute, traced: boolean): Promise<void> {
    const instance = this.definition.instance;
    const context = item.context!;
    const started = performance.now();
    const active = traced
      ? startProcessSpan({
          topic: context.topic,
          partition: context.partition,
          offset: context.offset,
          groupId: this.definition.options.groupId,
          eventId: context.eventId,
          key: context.key,
          traceparent: item.envelope!.traceparent,
        })
      : undefined;
    try {
      if (active) await otelContext.with(active.context, method, instance, item.event, context);
      else await method.call(instance, item.event, context);
    } catch (e) {
      if (active) failSpan(active.span, e);
      throw e;
    } finally {
      active?.span.end();
      const ms = performance.now() - started;
      this.metrics.handlerFinished(route.type, ms / 1000);
      // Checked here so the description is only built for a slow call.
      if (this.slow.thresholdMs > 0 && ms > this.slow.thresholdMs) {
        this.slow.check(ms, () => `projection "${this.definition.options.name}" handler ${route.handlerName} (${route.type}) on ${context.topic}[${context.partition}]@${context.offset}`);
      }
    }
  }

  private async invokeBatch(method: HandlerMethod, manager: EntityManager, run: PreparedMessage[], route: ProjectionRoute, traced: boolean): Promise<void> {
    const first = run[0].context!;
    const items: ProjectionBatchItem[] = run.map((item) => ({ event: item.event, context: item.context! }));
    const started = performance.now();
    let active: ActiveSpan | undefined;
    if (traced) {
      active = startBatchProcessSpan(first.topic, first.partition, this.definition.options.groupId, run.map((item) => item.envelope!.traceparent));
    }
    try {
      if (active) await otelContext.with(active.context, method, this.definition.instance, items, manager);
      else await method.call(this.definition.instance, items, manager);
    } catch (e) {
      if (active) failSpan(active.span, e);
      throw e;
    } finally {
      active?.span.end();
      const ms = performance.now() - started;
      this.metrics.handlerFinished(route.type, ms / 1000);
      if (this.slow.thresholdMs > 0 && ms > this.slow.thresholdMs) {
        const last = run[run.length - 1].context!;
        this.slow.check(
          ms,
          () => `projection "${this.definition.options.name}" handler ${route.handlerName} (${route.type}, ${run.length} events) on ${first.topic}[${first.partition}]@${first.offset}..${last.offset}`,
        );
      }
    }
  }
}
