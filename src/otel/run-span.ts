/**
 * One run's span, from its start to its end, across every retry attempt: attributes at the start
 * (what runs, where), a `retry` event per failed attempt that is retried, and at the end how it
 * ended (status, attempts, the error) and, for a `chat` span, the model's reply (model, token
 * usage, finish reason).
 */
import type { Attributes, Context, Span } from '@opentelemetry/api';
import { ExecutionStatus, type RunTrace, type RunTraceEnd } from '../index.js';
import { messageOf, safeGet } from '../util/describe.js';
import { otel } from './otel-api.js';
import { GenAIOperation, RETRY_EVENT, TraceAttributes as A, runSpanName } from './semconv.js';
import { errorTypeOf, exceptionOf } from './span-errors.js';

export class OtelRunTrace implements RunTrace {
  /** The context the handler runs in: the caller's, with this run's span active. Made on first use. */
  #active: Context | undefined;

  constructor(
    readonly span: Span,
    /** The context the span was started in (its parent's span active in it). */
    private readonly base: Context,
    private readonly operation: GenAIOperation,
    /** Whether the span is already named after the requested model (else the reply's may name it). */
    private readonly namedByModel: boolean,
  ) {}

  activate<R>(fn: () => R): R {
    this.#active ??= otel.trace.setSpan(this.base, this.span);
    return otel.context.with(this.#active, fn);
  }

  retrying(attempt: number, error: unknown, delayMs: number): void {
    this.span.addEvent(RETRY_EVENT, {
      [A.RH_RETRY_ATTEMPT]: attempt,
      [A.RH_RETRY_DELAY_MS]: delayMs,
      [A.ERROR_TYPE]: errorTypeOf(error),
      [A.ERROR_MESSAGE]: messageOf(error),
    });
  }

  end(outcome: RunTraceEnd): void {
    const { span } = this;
    const { status } = outcome;
    const attributes: Attributes = { [A.RH_STATUS]: status, [A.RH_ATTEMPTS]: outcome.attempts };
    if (status === ExecutionStatus.COMPLETED || status === ExecutionStatus.RECOVERED) {
      if (this.operation === GenAIOperation.CHAT) {
        this.reply(outcome.result, attributes, status === ExecutionStatus.RECOVERED);
      }
    } else {
      const message = outcome.message ?? messageOf(outcome.error);
      attributes[A.RH_STATUS_MESSAGE] = message;
      if (status === ExecutionStatus.FAILED) {
        attributes[A.ERROR_TYPE] = errorTypeOf(outcome.error);
        span.recordException(exceptionOf(outcome.error));
        span.setStatus({ code: otel.SpanStatusCode.ERROR, message });
      }
      // Cancelled and interrupted runs did not fail by themselves (a sibling failed, the group or
      // the state was stopped): their status stays unset and `rh.status` says what happened.
    }
    span.setAttributes(attributes);
    span.end();
  }

  /**
   * A model call's reply (a `ChatLLM` result: `{ usage, response: { id, modelId }, finishReason }`),
   * read defensively: another `llm_call` actor may return anything. A recovered run spent no
   * tokens this time, so it reports none (token dashboards would count them twice).
   */
  private reply(result: unknown, attributes: Attributes, recovered: boolean): void {
    const response = safeGet(result, 'response');
    const modelId = safeGet(response, 'modelId');
    if (typeof modelId === 'string' && modelId !== '') {
      attributes[A.GEN_AI_RESPONSE_MODEL] = modelId;
      if (!this.namedByModel) this.span.updateName(runSpanName(GenAIOperation.CHAT, modelId));
    }
    const id = safeGet(response, 'id');
    if (typeof id === 'string' && id !== '') attributes[A.GEN_AI_RESPONSE_ID] = id;
    const finishReason = safeGet(result, 'finishReason');
    if (typeof finishReason === 'string') {
      attributes[A.GEN_AI_RESPONSE_FINISH_REASONS] = [finishReason];
    }
    if (recovered) return;
    const usage = safeGet(result, 'usage');
    const input = safeGet(usage, 'inputTokens');
    const output = safeGet(usage, 'outputTokens');
    if (typeof input === 'number' && Number.isFinite(input)) {
      attributes[A.GEN_AI_USAGE_INPUT_TOKENS] = input;
    }
    if (typeof output === 'number' && Number.isFinite(output)) {
      attributes[A.GEN_AI_USAGE_OUTPUT_TOKENS] = output;
    }
  }
}
