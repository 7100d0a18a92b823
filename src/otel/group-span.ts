/**
 * One parallel group's span: from its first tasks' start to its end (or to the moment it is
 * released idle), with the task counts at the end. A failed group (a task failed, fail_fast,
 * a timeout) has status ERROR; a cancelled one says so in `rh.status`.
 */
import type { Attributes, Span } from '@opentelemetry/api';
import { type GroupTrace, type GroupTraceEnd, GroupStatus } from '../index.js';
import { messageOf } from '../util/describe.js';
import { otel } from './otel-api.js';
import { TraceAttributes as A } from './semconv.js';
import { errorTypeOf, exceptionOf } from './span-errors.js';

export class OtelGroupTrace implements GroupTrace {
  constructor(readonly span: Span) {}

  end(outcome: GroupTraceEnd): void {
    const { span } = this;
    const { status, total, failed, error } = outcome;
    const attributes: Attributes = {
      [A.RH_STATUS]: status,
      [A.RH_GROUP_TOTAL]: total,
      [A.RH_GROUP_COMPLETED]: outcome.completed,
      [A.RH_GROUP_FAILED]: failed,
      [A.RH_GROUP_CANCELLED]: outcome.cancelled,
    };
    if (status === GroupStatus.FAILED) {
      const message = error === undefined ? `${failed} of ${total} tasks failed` : messageOf(error);
      attributes[A.RH_STATUS_MESSAGE] = message;
      if (error !== undefined) {
        attributes[A.ERROR_TYPE] = errorTypeOf(error);
        span.recordException(exceptionOf(error));
      }
      span.setStatus({ code: otel.SpanStatusCode.ERROR, message });
    } else if (error !== undefined) {
      attributes[A.RH_STATUS_MESSAGE] = messageOf(error);
    }
    span.setAttributes(attributes);
    span.end();
  }
}
