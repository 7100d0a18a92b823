import type { ModelMessage } from 'ai';
import {
  Agent,
  type AnyActor,
  ErrorStrategy,
  ExecutionEvent,
  type ExecutionState,
  type RetryConfig,
  type RunResult,
} from '../index.js';
import { checkEnum, checkInteger, checkKnownKeys, describe } from '../util/validate.js';
import { ChatLLM } from './chat-llm.js';
import { ModelCallError, StepLimitError } from './errors.js';
import { type PromptInputSchema, TOOL_NAME, promptInputSchema } from './input-schemas.js';
import { addUsage, toJson } from './normalize.js';
import { ai } from './sdk.js';
import type {
  AgentStep,
  ChatResult,
  PromptInput,
  ToolAgentResult,
  ToolCall,
  ToolDeclaration,
  ToolResult,
  Usage,
} from './types.js';

/** Options of `new ToolAgent()`. */
export interface ToolAgentOptions<O = never> {
  /** The agent's name: a segment of every address it runs at. No `:`, `[`, `]` or `#`. */
  name: string;
  /** What it does, for people. @default '' */
  description?: string;
  /** The model calls: each step is a run of this `ChatLLM` (its `outputSchema` shapes the final reply). */
  llm: ChatLLM<O>;
  /**
   * The tools the model may call: rh-agents actors (usually `Tool`s; an `Agent` works as a
   * sub-agent). Each is declared to the model with its name, description and input schema, and
   * every call runs as a run of it. Names: letters, digits, `_` and `-`, at most 64, unique.
   */
  tools: readonly AnyActor[];
  /** The most model calls in one run; reaching it while the model still asks for tools fails the run (`StepLimitError`). @default 8 */
  maxSteps?: number;
  /** The parallel group of one step's tool calls. @default { maxWorkers: 5, errorStrategy: 'fail_slow' } */
  parallel?: { maxWorkers?: number; errorStrategy?: ErrorStrategy };
  /** Retry policy of the whole agent run. @default none (agents do not retry) */
  retry?: RetryConfig;
}

const KEYS = ['name', 'description', 'llm', 'tools', 'maxSteps', 'parallel', 'retry'];

interface Config {
  name: string;
  llm: ChatLLM<unknown>;
  tools: Map<string, AnyActor>;
  maxSteps: number;
  maxWorkers: number;
  errorStrategy: ErrorStrategy;
  declarations: () => Promise<ToolDeclaration[]>;
}

function configOf(owner: string, options: ToolAgentOptions<unknown>): Config {
  checkKnownKeys(owner, options, KEYS);
  if (!(options.llm instanceof ChatLLM)) {
    throw new TypeError(
      `${owner}: expected \`llm\` to be a ChatLLM (new ChatLLM({ name, model })), got ${describe(options.llm)}.`,
    );
  }
  if (!Array.isArray(options.tools)) {
    throw new TypeError(
      `${owner}: expected \`tools\` to be an array of Tools, got ${describe(options.tools)}.`,
    );
  }
  const tools = new Map<string, AnyActor>();
  options.tools.forEach((tool: unknown, i) => {
    const t = tool as Partial<AnyActor> | null;
    if (t === null || typeof t !== 'object' || typeof t.handler !== 'function' || !t.inputSchema) {
      throw new TypeError(
        `${owner}: expected \`tools[${i}]\` to be a Tool (or another rh-agents actor), got ${describe(tool)}.`,
      );
    }
    const name = t.name as string;
    if (!TOOL_NAME.test(name)) {
      throw new TypeError(
        `${owner}: the tool name ${describe(name)} (tools[${i}]) cannot be sent to a model: providers accept only letters, digits, '_' and '-', at most 64 of them. Rename the Tool.`,
      );
    }
    if (tools.has(name)) {
      throw new TypeError(
        `${owner}: two tools are named ${describe(name)}; the model tells them apart by name, so give each a unique one.`,
      );
    }
    tools.set(name, tool as AnyActor);
  });
  const parallel = options.parallel ?? {};
  if (parallel === null || typeof parallel !== 'object') {
    throw new TypeError(
      `${owner}: expected \`parallel\` to be { maxWorkers?, errorStrategy? }, got ${describe(parallel)}.`,
    );
  }
  checkKnownKeys(`${owner} parallel`, parallel, ['maxWorkers', 'errorStrategy']);
  let declared: Promise<ToolDeclaration[]> | undefined;
  return {
    name: options.name,
    llm: options.llm,
    tools,
    maxSteps: checkInteger(owner, 'maxSteps', options.maxSteps ?? 8),
    maxWorkers: checkInteger(owner, 'parallel.maxWorkers', parallel.maxWorkers ?? 5, {
      allowInfinity: true,
    }),
    errorStrategy: checkEnum(
      owner,
      'parallel.errorStrategy',
      parallel.errorStrategy ?? ErrorStrategy.FAIL_SLOW,
      ErrorStrategy,
    ),
    declarations: () => (declared ??= declare(owner, [...tools.values()])),
  };
}

/** The tools as the model sees them: name, description, and the input schema as JSON Schema. */
async function declare(owner: string, tools: AnyActor[]): Promise<ToolDeclaration[]> {
  return Promise.all(
    tools.map(async (tool) => {
      let inputSchema: ToolDeclaration['inputSchema'];
      try {
        inputSchema = (await ai.asSchema(tool.inputSchema).jsonSchema) as typeof inputSchema;
      } catch (error) {
        throw new TypeError(
          `${owner}: the input schema of tool '${tool.name}' cannot be shown to a model as JSON Schema: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const declaration: ToolDeclaration = { name: tool.name, inputSchema };
      if (tool.description) declaration.description = tool.description;
      return declaration;
    }),
  );
}

/**
 * An agent that lets a model call tools: each model call is a run of its `ChatLLM`, and the tool
 * calls of one model step run as a parallel group of runs of the named tools (addressed, tagged,
 * retried, checkpointed like any run). A tool that fails, or a call of an unknown tool, goes back
 * to the model as an error result. It ends when the model answers without calling a tool, fails
 * when a model call still fails after its retries (`ModelCallError`), and stops after `maxSteps`
 * model calls (`StepLimitError`).
 */
export class ToolAgent<O = never> extends Agent<PromptInputSchema, ToolAgentResult<O>> {
  readonly llm: ChatLLM<O>;
  readonly tools: readonly AnyActor[];
  readonly maxSteps: number;

  constructor(options: ToolAgentOptions<O>) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `new ToolAgent(): expected an options object with name, llm and tools, got ${describe(options)}.`,
      );
    }
    // The handler reads the config, which is checked once `super()` has checked the name.
    const box: { config?: Config } = {};
    super({
      name: options.name,
      description: options.description,
      inputSchema: promptInputSchema,
      handler: (input, context, state) =>
        loop(box.config as Config, input, context, state) as never,
      retry: options.retry,
    });
    const config = configOf(`ToolAgent '${this.name}'`, options as ToolAgentOptions<unknown>);
    box.config = config;
    this.llm = options.llm;
    this.tools = [...config.tools.values()];
    this.maxSteps = config.maxSteps;
  }
}

async function loop(
  config: Config,
  input: PromptInput,
  context: unknown,
  state: ExecutionState,
): Promise<ToolAgentResult<unknown>> {
  const tools = await config.declarations();
  const messages: ModelMessage[] =
    input.messages !== undefined
      ? [...input.messages]
      : [{ role: 'user', content: input.prompt as string }];
  const llm = new ExecutionEvent({ actor: config.llm });
  const steps: AgentStep[] = [];
  const toolCalls: ToolCall[] = [];
  let usage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  const prefix = `${state.currentAddress?.replace(/::[a-z_]+$/, '') ?? ''}::`;

  for (let step = 1; ; step++) {
    const call: RunResult<ChatResult<unknown>> = await llm.run(
      { messages: [...messages], tools, toolChoice: tools.length > 0 ? 'auto' : undefined },
      context,
      state,
    );
    if (!call.ok) {
      const address = lastFailure(state, config.llm.name, prefix);
      throw new ModelCallError(
        `${config.name}: model call ${step} (${address ?? config.llm.name}) failed: ${call.errorMessage}`,
        { cause: call.error, address },
      );
    }
    const reply = call.result;
    usage = addUsage(usage, reply.usage);
    toolCalls.push(...reply.toolCalls);
    if (reply.toolCalls.length === 0) {
      steps.push({ text: reply.text, toolCalls: [], toolResults: [], usage: reply.usage });
      const result: ToolAgentResult<unknown> = { text: reply.text, steps, usage, toolCalls };
      if (reply.object !== undefined) result.object = reply.object;
      return result;
    }
    if (step >= config.maxSteps) {
      const asked = [...new Set(reply.toolCalls.map((c) => c.toolName))].join(', ');
      throw new StepLimitError(
        `${config.name} reached maxSteps (${config.maxSteps}) model calls and the model still asked for tools (${asked}); raise maxSteps, or give the model a task it can finish in fewer steps.`,
      );
    }
    const toolResults = await runTools(config, reply.toolCalls, context, state);
    steps.push({ text: reply.text, toolCalls: reply.toolCalls, toolResults, usage: reply.usage });
    messages.push(
      {
        role: 'assistant',
        content: [
          ...(reply.text ? [{ type: 'text' as const, text: reply.text }] : []),
          ...reply.toolCalls.map((c) => ({
            type: 'tool-call' as const,
            toolCallId: c.toolCallId,
            toolName: c.toolName,
            input: c.input,
          })),
        ],
      },
      {
        role: 'tool',
        content: toolResults.map((r) => ({
          type: 'tool-result' as const,
          toolCallId: r.toolCallId,
          toolName: r.toolName,
          output: r.ok
            ? typeof r.output === 'string'
              ? { type: 'text' as const, value: r.output }
              : { type: 'json' as const, value: r.output as never }
            : { type: 'error-text' as const, value: r.error },
        })),
      },
    );
  }
}

/** Runs one step's tool calls as one parallel group; unknown tools get an error result. */
async function runTools(
  config: Config,
  calls: readonly ToolCall[],
  context: unknown,
  state: ExecutionState,
): Promise<ToolResult[]> {
  const results: (ToolResult | undefined)[] = calls.map((call) =>
    config.tools.has(call.toolName)
      ? undefined
      : {
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          ok: false,
          error: `Unknown tool ${JSON.stringify(call.toolName)}; the tools are: ${[...config.tools.keys()].join(', ') || '(none)'}.`,
        },
  );
  const known = calls.flatMap((call, i) => (results[i] === undefined ? [i] : []));
  if (known.length > 0) {
    const group = state.parallel({
      name: 'Tools',
      maxWorkers: config.maxWorkers,
      errorStrategy: config.errorStrategy,
    });
    const runs = known.map((i) => {
      const call = calls[i] as ToolCall;
      const actor = config.tools.get(call.toolName) as AnyActor;
      const run = new ExecutionEvent({ actor }).run(call.input, context, state);
      group.add(run, call.toolName);
      return run;
    });
    // Under fail_fast the group rejects; every run still settles with its own result.
    await group.gather().catch(() => undefined);
    for (const [k, i] of known.entries()) {
      const call = calls[i] as ToolCall;
      const r = await (runs[k] as PromiseLike<RunResult<unknown>>);
      const id = { toolCallId: call.toolCallId, toolName: call.toolName };
      if (!r.ok) results[i] = { ...id, ok: false, error: r.errorMessage };
      else {
        try {
          results[i] = {
            ...id,
            ok: true,
            output: toJson(r.result, `The result of tool '${call.toolName}'`),
          };
        } catch (error) {
          results[i] = { ...id, ok: false, error: (error as Error).message };
        }
      }
    }
  }
  return results as ToolResult[];
}

/** The address of the latest failed run of `name` under the agent (to name the failed call). */
function lastFailure(state: ExecutionState, name: string, prefix: string): string | undefined {
  const events = state.history.events;
  for (let i = events.length - 1; i >= 0; i--) {
    const record = events[i];
    if (
      record?.actor.name === name &&
      record.address.startsWith(prefix) &&
      record.status !== 'started' &&
      record.status !== 'retrying'
    )
      return record.address;
  }
  return undefined;
}
