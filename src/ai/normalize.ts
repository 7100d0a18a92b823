/** Turning AI SDK results into the plain-JSON shapes of `ChatResult`. */
import type { z } from 'zod';
import type { ToolCall, Usage } from './types.js';

const count = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : 0;

/** Usage with every count a number (0 when the provider did not report it). */
export function normalizeUsage(usage: unknown): Usage {
  const u = (usage ?? {}) as Record<string, unknown>;
  const inputTokens = count(u.inputTokens);
  const outputTokens = count(u.outputTokens);
  const total = count(u.totalTokens);
  return { inputTokens, outputTokens, totalTokens: total > 0 ? total : inputTokens + outputTokens };
}

/** Sums usages. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

/** A value as plain JSON (a deep copy); throws a TypeError naming what could not be stored. */
export function toJson(value: unknown, what: string): unknown {
  if (value === undefined) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`${what} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

/** The tool calls of an AI SDK result, as plain JSON. */
export function normalizeToolCalls(
  calls: readonly { toolCallId: string; toolName: string; input: unknown }[],
): ToolCall[] {
  return calls.map((call) => ({
    toolCallId: call.toolCallId,
    toolName: call.toolName,
    input: toJson(call.input, `The input of tool call ${call.toolCallId}`),
  }));
}

/** `{ id?, modelId? }` without undefined fields. */
export function normalizeResponse(response: { id?: unknown; modelId?: unknown } | undefined): {
  id?: string;
  modelId?: string;
} {
  const out: { id?: string; modelId?: string } = {};
  if (typeof response?.id === 'string') out.id = response.id;
  if (typeof response?.modelId === 'string') out.modelId = response.modelId;
  return out;
}

/**
 * Why a reply does not give an object of `schema`: the JSON error, or the schema's issues as
 * "`field`: message" (the same form as a run's input errors).
 */
export async function describeMismatch(text: string, schema: z.ZodType): Promise<string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text;
    return `the reply is not JSON (${(error as Error).message}): ${JSON.stringify(shown)}`;
  }
  const parsed = await schema.safeParseAsync(value);
  if (parsed.success) return 'the reply could not be read as an object';
  return parsed.error.issues
    .map((issue) => `\`${issue.path.map(String).join('.') || '(reply)'}\`: ${issue.message}`)
    .join('; ');
}
