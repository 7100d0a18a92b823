import type { z } from 'zod';
import { EventType } from '../util/enums.js';
import type { ExecutionState } from '../state/execution-state.js';
import type { RunLimiter } from './run-limiter.js';
import { type ResolvedRetry, type RetryConfig, resolveRetryConfig } from './retry.js';
import { checkFunction, checkName, describe } from '../util/validate.js';

/** A zod schema (any schema with `safeParseAsync`). */
export type Schema = z.ZodType;

/** Checked before the handler; the run fails when it returns `false` or throws. */
export type Precondition<In, Ctx> = (
  input: In,
  context: Ctx,
  state: ExecutionState,
) => boolean | Promise<boolean>;

/** Checked after the handler; the run fails when it returns `false` or throws. */
export type Postcondition<In, Out, Ctx> = (
  result: Out,
  input: In,
  context: Ctx,
  state: ExecutionState,
) => boolean | Promise<boolean>;

/** What every actor is made of. */
export interface ActorOptions<S extends Schema, Out, Ctx = unknown> {
  /** The actor's name: a segment of every address it runs at. No `:`, `[`, `]` or `#`. */
  name: string;
  /** What it does, for people and for LLM tool descriptions. @default '' */
  description?: string;
  /** Input schema; the handler receives its parsed output. */
  inputSchema: S;
  /** Optional schema the handler's result must pass; the run returns its parsed output. */
  outputSchema?: z.ZodType<Out>;
  /** The work. `state.signal` aborts when the run is cancelled or the state interrupted. */
  handler: (input: z.output<S>, context: Ctx, state: ExecutionState) => Out | Promise<Out>;
  /** Retry policy of this actor; overrides the state's defaults, is overridden by the event's. */
  retry?: RetryConfig;
  preconditions?: readonly Precondition<z.output<S>, Ctx>[];
  postconditions?: readonly Postcondition<z.output<S>, Out, Ctx>[];
  // ---- run limiter (issue 10) ----
  /**
   * Shared limit on this actor's calls (e.g. an `AdaptiveLimiter` given to every actor that calls
   * one provider): each attempt of the handler waits for a permit and releases it with its
   * outcome, so rate-limit failures lower the limit. Do not give an agent the limiter its own
   * children use: it would hold a permit while they wait for one. @default none
   */
  limiter?: RunLimiter;
  // ---- end run limiter ----
}

/** The shared base of `Tool`, `Agent` and `LLM`. */
export abstract class BaseActor<S extends Schema = Schema, Out = unknown, Ctx = unknown> {
  abstract readonly eventType: EventType;
  readonly name: string;
  readonly description: string;
  readonly inputSchema: S;
  readonly outputSchema: z.ZodType<Out> | undefined;
  readonly handler: (input: z.output<S>, context: Ctx, state: ExecutionState) => Out | Promise<Out>;
  readonly retry: RetryConfig | undefined;
  readonly preconditions: readonly Precondition<z.output<S>, Ctx>[];
  readonly postconditions: readonly Postcondition<z.output<S>, Out, Ctx>[];
  /** @internal The validated `retry` with its defaults filled in. */
  readonly resolvedRetry: ResolvedRetry | undefined;
  /** The shared limit on this actor's calls, if any. */
  readonly limiter: RunLimiter | undefined;

  constructor(options: ActorOptions<S, Out, Ctx>) {
    const kind = new.target.name;
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `new ${kind}(): expected an options object with name, inputSchema and handler, got ${describe(options)}.`,
      );
    }
    const name = checkName(`new ${kind}()`, 'name', options.name);
    const owner = `${kind} '${name}'`;
    checkSchema(owner, 'inputSchema', options.inputSchema);
    if (options.outputSchema !== undefined)
      checkSchema(owner, 'outputSchema', options.outputSchema);
    if (typeof options.handler !== 'function') {
      throw new TypeError(
        `${owner}: expected \`handler\` to be a function (input, context, state) => result, got ${describe(options.handler)}.`,
      );
    }
    for (const key of ['preconditions', 'postconditions'] as const) {
      const list = options[key];
      if (list === undefined) continue;
      if (!Array.isArray(list))
        throw new TypeError(
          `${owner}: expected \`${key}\` to be an array of functions, got ${describe(list)}.`,
        );
      list.forEach((fn, i) => checkFunction(owner, `${key}[${i}]`, fn));
    }
    // ---- run limiter (issue 10) ----
    const { limiter } = options;
    if (
      limiter !== undefined &&
      (limiter === null ||
        typeof limiter !== 'object' ||
        typeof (limiter as { acquire?: unknown }).acquire !== 'function')
    ) {
      throw new TypeError(
        `${owner}: expected \`limiter\` to be a RunLimiter (e.g. new AdaptiveLimiter({ maxConcurrency: 16 })), an object with an acquire() method, got ${describe(limiter)}.`,
      );
    }
    this.limiter = limiter;
    // ---- end run limiter ----
    this.name = name;
    if (options.description !== undefined && typeof options.description !== 'string') {
      throw new TypeError(
        `${owner}: expected \`description\` to be a string, got ${describe(options.description)}.`,
      );
    }
    this.description = options.description ?? '';
    this.inputSchema = options.inputSchema;
    this.outputSchema = options.outputSchema;
    this.handler = options.handler;
    this.retry = options.retry;
    this.resolvedRetry =
      options.retry === undefined ? undefined : resolveRetryConfig(options.retry, `${owner} retry`);
    this.preconditions = options.preconditions ?? [];
    this.postconditions = options.postconditions ?? [];
  }
}

function checkSchema(owner: string, option: string, schema: unknown): void {
  if (
    schema === null ||
    typeof schema !== 'object' ||
    typeof (schema as { safeParseAsync?: unknown }).safeParseAsync !== 'function'
  ) {
    throw new TypeError(
      `${owner}: expected \`${option}\` to be a zod schema (e.g. z.object({ … })), got ${describe(schema)}.`,
    );
  }
}

/** A deterministic capability: an API call, a file read, a computation. Retries by default. */
export class Tool<S extends Schema = Schema, Out = unknown, Ctx = unknown> extends BaseActor<
  S,
  Out,
  Ctx
> {
  readonly eventType = EventType.TOOL_CALL;
}

/** An orchestrator that runs other actors from its handler. Does not retry by default. */
export class Agent<S extends Schema = Schema, Out = unknown, Ctx = unknown> extends BaseActor<
  S,
  Out,
  Ctx
> {
  readonly eventType = EventType.AGENT_CALL;
}

/** A call to a language model. Retries by default. */
export class LLM<S extends Schema = Schema, Out = unknown, Ctx = unknown> extends BaseActor<
  S,
  Out,
  Ctx
> {
  readonly eventType = EventType.LLM_CALL;
}

/** Any actor. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActor = BaseActor<any, any, any>;
