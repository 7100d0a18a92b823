/**
 * `otelTracing()`: the tracing hooks of an `ExecutionState` on OpenTelemetry. A span per run
 * (across its retries) and per parallel group; a span's parent is the span of the run or group it
 * runs in, as the state tracks it (not whatever OpenTelemetry context happens to be active where a
 * group's task starts); a top-level run or group takes the active OpenTelemetry span as its parent.
 */
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import type {
  GroupTrace,
  GroupTraceInfo,
  RunTrace,
  RunTraceInfo,
  TraceSpan,
  Tracing,
} from '../index.js';
import { safeGet } from '../util/describe.js';
import { checkOptions, describe } from '../util/validate.js';
import { OtelGroupTrace } from './group-span.js';
import { otel } from './otel-api.js';
import { OtelRunTrace } from './run-span.js';
import {
  GenAIOperation,
  SCHEMA_URL,
  TRACER_NAME,
  TraceAttributes as A,
  groupSpanName,
  operationOf,
  runSpanName,
} from './semconv.js';

/** The version of rh-agents, given to the default tracer (a test keeps it equal to package.json's). */
export const RH_AGENTS_VERSION = '0.1.0';

/** Options of `otelTracing()`. */
export interface OtelTracingOptions {
  /**
   * The tracer that makes the spans, e.g. `provider.getTracer('my-app')` of a tracer provider you
   * made, or `trace.getTracer('my-app')` of the global one.
   * @default the global tracer provider's tracer `rh-agents` (with this package's version and the
   * semantic conventions' schema URL); a provider registered after `otelTracing()` is used too,
   * and with none registered the spans are no-ops
   */
  tracer?: Tracer;
}

const KEYS = ['tracer'];
const OWNER = 'otelTracing()';

/**
 * Tracing hooks on OpenTelemetry, for `new ExecutionState({ tracing: otelTracing() })`.
 *
 * @example
 * const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
 * const state = new ExecutionState({ tracing: otelTracing({ tracer: provider.getTracer('app') }) });
 */
export function otelTracing(options: OtelTracingOptions = {}): Tracing {
  checkOptions(OWNER, options, KEYS);
  const tracer =
    options.tracer === undefined
      ? otel.trace.getTracerProvider().getTracer(TRACER_NAME, RH_AGENTS_VERSION, {
          schemaUrl: SCHEMA_URL,
        })
      : checkTracer(options.tracer);
  return new OtelTracing(tracer);
}

function checkTracer(tracer: unknown): Tracer {
  const t = tracer as { startSpan?: unknown; getTracer?: unknown } | null;
  if (t !== null && typeof t === 'object' && typeof t.startSpan === 'function') {
    return tracer as Tracer;
  }
  const hint =
    t !== null && typeof t === 'object' && typeof t.getTracer === 'function'
      ? ' It looks like a tracer provider: pass provider.getTracer(name) instead.'
      : '';
  throw new TypeError(
    `${OWNER}: expected \`tracer\` to be an OpenTelemetry Tracer (an object with startSpan()), e.g. trace.getTracer('my-app') from '@opentelemetry/api', got ${describe(tracer)}.${hint}`,
  );
}

class OtelTracing implements Tracing {
  constructor(private readonly tracer: Tracer) {}

  startRun(info: RunTraceInfo): RunTrace {
    const { actor } = info;
    const operation = operationOf(actor.eventType);
    const attributes: Attributes = {
      [A.GEN_AI_OPERATION_NAME]: operation,
      [A.RH_ADDRESS]: info.address,
      [A.RH_STATE_ID]: info.stateId,
      [A.RH_ACTOR]: actor.name,
      [A.RH_EVENT_TYPE]: actor.eventType,
    };
    if (info.tag !== undefined) attributes[A.RH_TAG] = info.tag;
    if (info.groupId !== undefined) attributes[A.RH_GROUP_ID] = info.groupId;
    if (info.parallelIndex !== undefined) attributes[A.RH_PARALLEL_INDEX] = info.parallelIndex;
    let subject = actor.name;
    let kind = otel.SpanKind.INTERNAL;
    let namedByModel = false;
    if (operation === GenAIOperation.CHAT) {
      // A model call made from this process: a client span, named after the model asked for.
      kind = otel.SpanKind.CLIENT;
      const model = safeGet(actor, 'model');
      const modelId = safeGet(model, 'modelId');
      if (typeof modelId === 'string' && modelId !== '') {
        attributes[A.GEN_AI_REQUEST_MODEL] = modelId;
        subject = modelId;
        namedByModel = true;
      }
      const provider = safeGet(model, 'provider');
      if (typeof provider === 'string' && provider !== '') {
        // AI SDK providers name themselves `openai.chat`, `anthropic.messages`, …
        attributes[A.GEN_AI_PROVIDER_NAME] = provider.split('.')[0] as string;
      }
    } else {
      const isTool = operation === GenAIOperation.EXECUTE_TOOL;
      attributes[isTool ? A.GEN_AI_TOOL_NAME : A.GEN_AI_AGENT_NAME] = actor.name;
      if (actor.description !== '') {
        attributes[isTool ? A.GEN_AI_TOOL_DESCRIPTION : A.GEN_AI_AGENT_DESCRIPTION] =
          actor.description;
      }
    }
    const base = this.parentContext(info.parent);
    const span = this.tracer.startSpan(runSpanName(operation, subject), { kind, attributes }, base);
    return new OtelRunTrace(span, base, operation, namedByModel);
  }

  startGroup(info: GroupTraceInfo): GroupTrace {
    const attributes: Attributes = {
      [A.RH_GROUP_ID]: info.groupId,
      [A.RH_STATE_ID]: info.stateId,
    };
    if (info.name !== undefined) attributes[A.RH_GROUP_NAME] = info.name;
    // `Infinity` has no place in most exporters' formats: unbounded groups leave it out.
    if (Number.isFinite(info.maxWorkers)) attributes[A.RH_GROUP_MAX_WORKERS] = info.maxWorkers;
    const span = this.tracer.startSpan(
      groupSpanName(info.name),
      { kind: otel.SpanKind.INTERNAL, attributes },
      this.parentContext(info.parent),
    );
    return new OtelGroupTrace(span);
  }

  /** The active context, with the enclosing run's or group's span as the current span. */
  private parentContext(parent: TraceSpan | undefined): Context {
    const active = otel.context.active();
    return parent === undefined ? active : otel.trace.setSpan(active, parent as Span);
  }
}
