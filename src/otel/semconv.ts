/**
 * Every span name, attribute name and span event name that `rh-agents/otel` writes, in one place.
 *
 * The `gen_ai.*` names, the span names and the span kinds follow the OpenTelemetry semantic
 * conventions for generative AI **version 1.37.0** (status: Development; the conventions may
 * still change, and this module is the only place that would follow them). `error.*` are the
 * general conventions' names. The `rh.*` names are rh-agents' own.
 */
import type { EventType } from '../index.js';

/** The version of the OpenTelemetry semantic conventions these names follow. */
export const SEMCONV_VERSION = '1.37.0';

/** The schema URL of that version, given to the default tracer. */
export const SCHEMA_URL = `https://opentelemetry.io/schemas/${SEMCONV_VERSION}`;

/** The instrumentation scope name of the default tracer. */
export const TRACER_NAME = 'rh-agents';

/** `gen_ai.operation.name` of each kind of run. */
export const GenAIOperation = Object.freeze({
  /** An `llm_call` run: a call to a language model (span kind CLIENT). */
  CHAT: 'chat',
  /** A `tool_call` run (span kind INTERNAL). */
  EXECUTE_TOOL: 'execute_tool',
  /** An `agent_call` run, an agent running in this process (span kind INTERNAL). */
  INVOKE_AGENT: 'invoke_agent',
} as const);
export type GenAIOperation = (typeof GenAIOperation)[keyof typeof GenAIOperation];

const OPERATION_OF: Record<EventType, GenAIOperation> = {
  llm_call: GenAIOperation.CHAT,
  tool_call: GenAIOperation.EXECUTE_TOOL,
  agent_call: GenAIOperation.INVOKE_AGENT,
};

/** The operation of a run of the given event type. */
export function operationOf(eventType: EventType): GenAIOperation {
  return OPERATION_OF[eventType];
}

/**
 * A run's span name: `{gen_ai.operation.name} {subject}`, the subject being the tool's or agent's
 * name, or for a `chat` span the model (requested, else the one that answered, else the actor's
 * name).
 */
export function runSpanName(operation: GenAIOperation, subject: string): string {
  return `${operation} ${subject}`;
}

/** A parallel group's span name: `parallel {group name}`, or `parallel` for an unnamed group. */
export function groupSpanName(name: string | undefined): string {
  return name === undefined ? 'parallel' : `parallel ${name}`;
}

/** The name of the span event added when an attempt failed and the run retries. */
export const RETRY_EVENT = 'retry';

/** Every attribute name written, by the span it is on. */
export const TraceAttributes = Object.freeze({
  // ---- GenAI conventions (1.37.0), on run spans ---------------------------------------------
  /** `chat`, `execute_tool` or `invoke_agent`. */
  GEN_AI_OPERATION_NAME: 'gen_ai.operation.name',
  /** An `agent_call` run's actor name. */
  GEN_AI_AGENT_NAME: 'gen_ai.agent.name',
  /** An `agent_call` run's actor description, when it has one. */
  GEN_AI_AGENT_DESCRIPTION: 'gen_ai.agent.description',
  /** A `tool_call` run's actor name. */
  GEN_AI_TOOL_NAME: 'gen_ai.tool.name',
  /** A `tool_call` run's actor description, when it has one. */
  GEN_AI_TOOL_DESCRIPTION: 'gen_ai.tool.description',
  /** `chat`: the AI SDK provider of the model (`model.provider` up to its first `.`), when known. */
  GEN_AI_PROVIDER_NAME: 'gen_ai.provider.name',
  /** `chat`: the model asked for (`model.modelId` of the actor's `model`), when known. */
  GEN_AI_REQUEST_MODEL: 'gen_ai.request.model',
  /** `chat`: the model that answered (`result.response.modelId`), when reported. */
  GEN_AI_RESPONSE_MODEL: 'gen_ai.response.model',
  /** `chat`: the provider's id of the response (`result.response.id`), when reported. */
  GEN_AI_RESPONSE_ID: 'gen_ai.response.id',
  /** `chat`: why the model stopped, as a one-element array (`result.finishReason`). */
  GEN_AI_RESPONSE_FINISH_REASONS: 'gen_ai.response.finish_reasons',
  /** `chat`: `result.usage.inputTokens` (not on a recovered run: no tokens were spent). */
  GEN_AI_USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  /** `chat`: `result.usage.outputTokens` (not on a recovered run). */
  GEN_AI_USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  // ---- general conventions -------------------------------------------------------------------
  /** A failed run's or group's error class (the error's `name`), or `_OTHER`. */
  ERROR_TYPE: 'error.type',
  /** On a `retry` event: the failed attempt's error message. */
  ERROR_MESSAGE: 'error.message',
  // ---- rh-agents, on run spans ---------------------------------------------------------------
  /** The run's address, e.g. `Pipeline::Pages[2]::Fetch::tool_call`. */
  RH_ADDRESS: 'rh.address',
  /** The state's id (on run and group spans). */
  RH_STATE_ID: 'rh.state_id',
  /** The actor's name (every run span; for `chat` spans the only place it appears). */
  RH_ACTOR: 'rh.actor',
  /** `tool_call`, `agent_call` or `llm_call`. */
  RH_EVENT_TYPE: 'rh.event_type',
  /** The event's tag, when it has one. */
  RH_TAG: 'rh.tag',
  /** The id of the parallel group the run is a branch of (on run and group spans). */
  RH_GROUP_ID: 'rh.group_id',
  /** The run's task index in that group. */
  RH_PARALLEL_INDEX: 'rh.parallel_index',
  /** How it ended: `completed`, `failed`, `cancelled`, `interrupted`, `recovered` (groups: their status). */
  RH_STATUS: 'rh.status',
  /** Why it did not complete: the error message (failed, cancelled, interrupted). */
  RH_STATUS_MESSAGE: 'rh.status_message',
  /** Attempts made, the first included (0 for a recovered run). */
  RH_ATTEMPTS: 'rh.attempts',
  /** On a `retry` event: the attempt that failed (1 for the first). */
  RH_RETRY_ATTEMPT: 'rh.retry.attempt',
  /** On a `retry` event: the delay before the next attempt, in milliseconds. */
  RH_RETRY_DELAY_MS: 'rh.retry.delay_ms',
  // ---- rh-agents, on group spans -------------------------------------------------------------
  /** The group's `name` option, when given. */
  RH_GROUP_NAME: 'rh.group.name',
  /** The group's `maxWorkers`. */
  RH_GROUP_MAX_WORKERS: 'rh.group.max_workers',
  /** Tasks added to the group, at its end. */
  RH_GROUP_TOTAL: 'rh.group.total',
  /** Tasks that completed. */
  RH_GROUP_COMPLETED: 'rh.group.completed',
  /** Tasks that failed. */
  RH_GROUP_FAILED: 'rh.group.failed',
  /** Tasks cancelled (never started, or stopped by the group's ending). */
  RH_GROUP_CANCELLED: 'rh.group.cancelled',
} as const);

/** The `error.type` of an error without a usable name. */
export const OTHER_ERROR_TYPE = '_OTHER';
