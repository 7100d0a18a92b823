import type { LanguageModel, generateText } from 'ai';
import type { z } from 'zod';
import {
  type ExecutionState,
  LLM,
  OutputValidationError,
  type RetryConfig,
  type RunLimiter,
} from '../index.js';
import {
  checkFunction,
  checkInteger,
  checkKnownKeys,
  checkNumber,
  describe,
} from '../util/validate.js';
import { type ChatInputSchema, chatInputSchema } from './input-schemas.js';
import {
  describeMismatch,
  normalizeResponse,
  normalizeToolCalls,
  normalizeUsage,
  toJson,
} from './normalize.js';
import { ai } from './sdk.js';
import type { ChatInput, ChatResult } from './types.js';

/** An AI SDK language model object (a provider's model, e.g. `openai('gpt-4o-mini')`). */
export type ChatModel = Exclude<LanguageModel, string>;

/** Provider-specific options, passed through to the provider (`providerOptions` of the AI SDK). */
export type ProviderOptions = NonNullable<Parameters<typeof generateText>[0]['providerOptions']>;

/** Options of `new ChatLLM()`. */
export interface ChatLLMOptions<O = never> {
  /** The actor's name: a segment of every address it runs at. No `:`, `[`, `]` or `#`. */
  name: string;
  /** What it does, for people. @default '' */
  description?: string;
  /** The model to call: an AI SDK language model, e.g. `createOpenAICompatible({ … })('model-id')`. */
  model: ChatModel;
  /** The system prompt of every call. @default none */
  system?: string;
  /**
   * Structured output: the model is asked for JSON of this schema (`response_format` with the
   * schema, on providers that support it), and the run's `result.object` is the parsed,
   * validated value. A reply that does not match fails the run (an `OutputValidationError`,
   * not retried). @default none (text)
   */
  outputSchema?: z.ZodType<O>;
  /** Sampling temperature. @default the provider's */
  temperature?: number;
  /** The most tokens the reply may have. @default the provider's */
  maxOutputTokens?: number;
  /**
   * Streams the reply: called with each piece of text as it arrives (the call then uses the
   * provider's streaming API; the run's result is the same). @default none (one JSON reply)
   */
  onTextDelta?: (delta: string, state: ExecutionState) => void;
  /** Passed to the provider as they are. @default none */
  providerOptions?: ProviderOptions;
  /** A shared limit on calls, e.g. one `AdaptiveLimiter` for every actor calling one provider. @default none */
  limiter?: RunLimiter;
  /** Retry policy of the calls (the AI SDK's own retries are off). @default the state's for `llm_call`: 3 attempts, exponential from 1000 ms */
  retry?: RetryConfig;
}

const KEYS = [
  'name',
  'description',
  'model',
  'system',
  'outputSchema',
  'temperature',
  'maxOutputTokens',
  'onTextDelta',
  'providerOptions',
  'limiter',
  'retry',
];

interface Settings {
  name: string;
  model: ChatModel;
  system: string | undefined;
  schema: z.ZodType | undefined;
  temperature: number | undefined;
  maxOutputTokens: number | undefined;
  onTextDelta: ChatLLMOptions['onTextDelta'];
  providerOptions: ProviderOptions | undefined;
}

function checkModel(owner: string, model: unknown): ChatModel {
  const m = model as { specificationVersion?: unknown; doGenerate?: unknown } | null;
  if (
    m !== null &&
    typeof m === 'object' &&
    (m.specificationVersion === 'v2' || m.specificationVersion === 'v3') &&
    typeof m.doGenerate === 'function'
  )
    return model as ChatModel;
  const hint =
    typeof model === 'string'
      ? ` A model id alone needs the AI Gateway: pass gateway(${JSON.stringify(model)}) from 'ai', or a provider's model.`
      : m !== null && typeof m === 'object' && m.specificationVersion === 'v1'
        ? ' It is a model of an older AI SDK provider (specification v1): install a provider major made for ai 6, e.g. @ai-sdk/openai-compatible@^2.'
        : '';
  throw new TypeError(
    `${owner}: expected \`model\` to be an AI SDK language model, e.g. createOpenAICompatible({ name, baseURL })('model-id'), got ${describe(model)}.${hint}`,
  );
}

function settingsOf(owner: string, options: ChatLLMOptions<unknown>): Settings {
  checkKnownKeys(owner, options, KEYS);
  const model = checkModel(owner, options.model);
  if (options.system !== undefined && typeof options.system !== 'string') {
    throw new TypeError(
      `${owner}: expected \`system\` to be a string, got ${describe(options.system)}.`,
    );
  }
  const schema = options.outputSchema;
  if (
    schema !== undefined &&
    (schema === null ||
      typeof (schema as { safeParseAsync?: unknown }).safeParseAsync !== 'function')
  ) {
    throw new TypeError(
      `${owner}: expected \`outputSchema\` to be a zod schema (e.g. z.object({ … })), got ${describe(schema)}.`,
    );
  }
  if (options.onTextDelta !== undefined) checkFunction(owner, 'onTextDelta', options.onTextDelta);
  if (
    options.providerOptions !== undefined &&
    (options.providerOptions === null || typeof options.providerOptions !== 'object')
  ) {
    throw new TypeError(
      `${owner}: expected \`providerOptions\` to be an object keyed by provider, got ${describe(options.providerOptions)}.`,
    );
  }
  return {
    name: options.name,
    model,
    system: options.system,
    schema,
    temperature:
      options.temperature === undefined
        ? undefined
        : checkNumber(owner, 'temperature', options.temperature),
    maxOutputTokens:
      options.maxOutputTokens === undefined
        ? undefined
        : checkInteger(owner, 'maxOutputTokens', options.maxOutputTokens),
    onTextDelta: options.onTextDelta,
    providerOptions: options.providerOptions,
  };
}

/**
 * A call to a language model through the AI SDK, as an `LLM` actor (`llm_call`): its input is
 * `{ prompt }` or `{ messages }` (optionally with `tools` to offer), its result the reply's
 * `text`, `object` (with an `outputSchema`), `finishReason`, `usage`, `toolCalls` and `response`,
 * all plain JSON. The AI SDK's retries are off: the run's retry policy owns retries, and the
 * run's abort signal reaches the HTTP request.
 */
export class ChatLLM<O = never> extends LLM<ChatInputSchema, ChatResult<O>> {
  /** The model called. */
  readonly model: ChatModel;
  /** The schema of the structured output, if any (the actor's own `outputSchema` stays unset: it would check the whole result). */
  readonly objectSchema: z.ZodType<O> | undefined;
  readonly system: string | undefined;

  constructor(options: ChatLLMOptions<O>) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `new ChatLLM(): expected an options object with name and model, got ${describe(options)}.`,
      );
    }
    // The handler reads the settings, which are checked once `super()` has checked the name.
    const box: { settings?: Settings } = {};
    super({
      name: options.name,
      description: options.description,
      inputSchema: chatInputSchema,
      handler: (input, _context, state) => call(box.settings as Settings, input, state) as never,
      retry: options.retry,
      limiter: options.limiter,
    });
    const settings = settingsOf(`ChatLLM '${this.name}'`, options as ChatLLMOptions<unknown>);
    box.settings = settings;
    this.model = settings.model;
    this.objectSchema = options.outputSchema;
    this.system = settings.system;
  }
}

async function call(
  settings: Settings,
  input: ChatInput,
  state: ExecutionState,
): Promise<ChatResult<unknown>> {
  const { schema } = settings;
  const tools =
    input.tools === undefined || input.tools.length === 0
      ? undefined
      : Object.fromEntries(
          input.tools.map((t) => [
            t.name,
            ai.tool({ description: t.description, inputSchema: ai.jsonSchema(t.inputSchema) }),
          ]),
        );
  const request = {
    model: settings.model,
    system: settings.system,
    ...(input.messages !== undefined ? { messages: input.messages } : { prompt: input.prompt }),
    tools,
    toolChoice: tools ? input.toolChoice : undefined,
    temperature: settings.temperature,
    maxOutputTokens: settings.maxOutputTokens,
    providerOptions: settings.providerOptions,
    output: schema ? ai.Output.object({ schema }) : undefined,
    maxRetries: 0,
    abortSignal: state.signal,
  } as Parameters<typeof generateText>[0];

  let reply: {
    text: string;
    finishReason: ChatResult['finishReason'];
    usage: unknown;
    toolCalls: { toolCallId: string; toolName: string; input: unknown }[];
    response: { id?: string; modelId?: string };
    output: () => PromiseLike<unknown>;
  };
  try {
    if (settings.onTextDelta) {
      reply = await streamed(request, settings.onTextDelta, state);
    } else {
      const r = await ai.generateText(request);
      reply = {
        text: r.text,
        finishReason: r.finishReason,
        usage: r.usage,
        toolCalls: r.toolCalls,
        response: r.response,
        // The getter throws when no output was parsed (e.g. a step that only called tools).
        output: async () => r.output,
      };
    }
  } catch (error) {
    throw await asOutputError(settings, error);
  }
  const result: ChatResult<unknown> = {
    text: reply.text,
    finishReason: reply.finishReason,
    usage: normalizeUsage(reply.usage),
    toolCalls: normalizeToolCalls(reply.toolCalls),
    response: normalizeResponse(reply.response),
  };
  if (schema && result.toolCalls.length === 0) {
    let object: unknown;
    try {
      object = await reply.output();
    } catch (error) {
      throw await asOutputError(settings, error, reply.text, reply.finishReason);
    }
    result.object = toJson(object, `${settings.name}'s structured output`);
  }
  return result;
}

/** The same call through the provider's streaming API, with each text piece handed out. */
async function streamed(
  request: Parameters<typeof generateText>[0],
  onTextDelta: NonNullable<ChatLLMOptions['onTextDelta']>,
  state: ExecutionState,
) {
  let failure: { error: unknown } | undefined;
  const r = ai.streamText({
    ...request,
    onError: ({ error }) => {
      failure ??= { error };
    },
  } as Parameters<typeof ai.streamText>[0]);
  for await (const part of r.fullStream) {
    if (part.type === 'text-delta') onTextDelta(part.text, state);
    else if (part.type === 'error') failure ??= { error: part.error };
  }
  if (failure) throw failure.error;
  state.signal.throwIfAborted();
  const [text, finishReason, usage, toolCalls, response] = await Promise.all([
    r.text,
    r.finishReason,
    r.usage,
    r.toolCalls,
    r.response,
  ]);
  return { text, finishReason, usage, toolCalls, response, output: () => r.output };
}

/** A reply that gives no object of the schema becomes an `OutputValidationError` (not retried). */
async function asOutputError(
  settings: Settings,
  error: unknown,
  text?: string,
  finishReason?: string,
): Promise<unknown> {
  const { schema } = settings;
  if (!schema) return error;
  if (ai.NoObjectGeneratedError.isInstance(error)) {
    const why = await describeMismatch(error.text ?? '', schema);
    return new OutputValidationError(
      `${settings.name}: the model's reply does not match its outputSchema: ${why}.`,
      { cause: error },
    );
  }
  if (ai.NoOutputGeneratedError.isInstance(error) && text !== undefined) {
    return new OutputValidationError(
      `${settings.name}: the model returned no structured output (finish reason '${finishReason}'${text ? `, text ${JSON.stringify(text.slice(0, 80))}` : ', no text'}).`,
      { cause: error },
    );
  }
  return error;
}
