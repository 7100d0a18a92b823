/** The plain-JSON shapes that go in and out of `ChatLLM` and `ToolAgent` runs (they checkpoint). */
import type { FinishReason, ModelMessage } from 'ai';

export type { FinishReason, ModelMessage };

/** A tool offered to the model in one call: its name, description and JSON Schema input. */
export interface ToolDeclaration {
  /** Letters, digits, `_` and `-`, at most 64 (what providers accept). */
  name: string;
  description?: string;
  /** A JSON Schema object (e.g. from `z.toJSONSchema(schema)`). */
  inputSchema: { [key: string]: unknown };
}

/** How the model may use the offered tools. @default 'auto' */
export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'tool'; toolName: string };

/** What the model is asked: a prompt, or a conversation of AI SDK model messages. */
export type PromptInput =
  { prompt: string; messages?: undefined } | { messages: ModelMessage[]; prompt?: undefined };

/** The input of a `ChatLLM` run: a prompt or messages, optionally with tools to offer. */
export type ChatInput = PromptInput & {
  /** Tools the model may call; it only asks for them (`toolCalls`), nothing runs them here. */
  tools?: ToolDeclaration[];
  toolChoice?: ToolChoice;
};

/** Token usage; a count the provider did not report is 0. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** A tool call the model asked for. */
export interface ToolCall {
  toolCallId: string;
  toolName: string;
  /** The arguments, parsed from the model's JSON (the raw text when it was not JSON). */
  input: unknown;
}

/** The result of a `ChatLLM` run. */
export interface ChatResult<O = never> {
  /** The text of the reply ('' when the model only called tools). */
  text: string;
  /** The structured output, parsed and validated with `outputSchema` (absent without one, or on a step that called tools). */
  object?: O;
  /** Why the model stopped: 'stop', 'length', 'content-filter', 'tool-calls', 'error' or 'other'. */
  finishReason: FinishReason;
  usage: Usage;
  /** The tool calls the model asked for, in order ([] when none). */
  toolCalls: ToolCall[];
  /** The provider's id of the response and the model that answered, when reported. */
  response: { id?: string; modelId?: string };
}

/** The result of one tool call of a `ToolAgent`, as sent back to the model. */
export type ToolResult =
  | { toolCallId: string; toolName: string; ok: true; output: unknown }
  | { toolCallId: string; toolName: string; ok: false; error: string };

/** One model step of a `ToolAgent`: the model's reply and the tool calls it led to. */
export interface AgentStep {
  text: string;
  toolCalls: ToolCall[];
  toolResults: ToolResult[];
  usage: Usage;
}

/** The result of a `ToolAgent` run. */
export interface ToolAgentResult<O = never> {
  /** The final reply's text. */
  text: string;
  /** The final reply's structured output, when the agent's `llm` has an `outputSchema`. */
  object?: O;
  /** Every model step, in order. */
  steps: AgentStep[];
  /** Usage summed over every model step. */
  usage: Usage;
  /** Every tool call of every step, in order. */
  toolCalls: ToolCall[];
}
