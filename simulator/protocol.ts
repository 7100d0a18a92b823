/**
 * The part of the OpenAI chat-completions protocol the simulator speaks: what a client sends to
 * `POST /v1/chat/completions`, and what a script may answer.
 */

/** A JSON Schema, as sent in `tools[].function.parameters` and `response_format.json_schema.schema`. */
export type JsonSchema = { [key: string]: unknown };

/** One content part of a message sent as an array. */
export interface ContentPart {
  type: string;
  text?: string;
  [key: string]: unknown;
}

/** A tool call of an assistant message. */
export interface ToolCallMessagePart {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One message of a request. */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content?: string | ContentPart[] | null;
  tool_calls?: ToolCallMessagePart[];
  tool_call_id?: string;
  name?: string;
}

/** A tool offered to the model. */
export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: JsonSchema; strict?: boolean };
}

/** The body of `POST /v1/chat/completions`. */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  tool_choice?: unknown;
  response_format?:
    | { type: 'json_schema'; json_schema: { name?: string; schema: JsonSchema; strict?: boolean } }
    | { type: 'json_object' }
    | { type: 'text' };
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  max_tokens?: number;
  [key: string]: unknown;
}

/** A completion to send back (as JSON, or as SSE chunks when the request streams). */
export interface SimulatedCompletion {
  /** The assistant's text. */
  text?: string;
  /** A value sent as the text, JSON-encoded (for `response_format` replies). */
  json?: unknown;
  /** Tool calls; `arguments` is JSON-encoded unless it is a string already. */
  toolCalls?: { name: string; arguments?: unknown; id?: string }[];
  /** @default 'tool_calls' when there are tool calls, else 'stop' */
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** Token usage; estimated from the characters when absent; `null` sends none. */
  usage?: { promptTokens: number; completionTokens: number } | null;
  /** Milliseconds before the reply starts. @default the server's `latencyMs` */
  delayMs?: number;
  /** Milliseconds between streamed chunks. @default the server's `chunkDelayMs` */
  chunkDelayMs?: number;
  /** The completion id. @default `chatcmpl-sim-<index>` */
  id?: string;
  /** The model id answered. @default the request's `model` */
  model?: string;
}

/** An HTTP error to send back. */
export interface SimulatedError {
  /** The HTTP status, e.g. 429, 500, 503, 400. */
  status: number;
  /** The error message in the body (`{ error: { message, type, code } }`). */
  message?: string;
  /** Sets `retry-after-ms` and `retry-after` (whole seconds, rounded up). */
  retryAfterMs?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Milliseconds before the reply. @default 0 */
  delayMs?: number;
}

export type SimulatedReply = SimulatedCompletion | SimulatedError;

/** What a script learns about a request besides its body. */
export interface ScriptInfo {
  /** The request's arrival index, from 0. */
  index: number;
  /** Aborts when the client goes away (a script may wait on it). */
  signal: AbortSignal;
}

/**
 * Decides the reply to one request. `undefined` lets the built-in simulated model answer.
 * Rate limits and flaky failures of the server are applied before the script is called.
 */
export type Script = (
  request: ChatCompletionRequest,
  info: ScriptInfo,
) => SimulatedReply | undefined | Promise<SimulatedReply | undefined>;

export function isError(reply: SimulatedReply): reply is SimulatedError {
  return typeof (reply as SimulatedError).status === 'number';
}

/** The text of a message's content, whether a string or an array of parts. */
export function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}
