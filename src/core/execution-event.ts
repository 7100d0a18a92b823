import type { z } from 'zod';
import type { BaseActor, Schema } from './actors.js';
import { checkNoNulls, describe } from '../util/validate.js';
import type { ExecutionState } from '../state/execution-state.js';
import { LazyRun } from './lazy-run.js';
import { type RetryConfig, resolveRetryConfig } from './retry.js';
import { executeRun, type RunSpec } from './run.js';

/** Options of `new ExecutionEvent()`. */
export interface ExecutionEventOptions<S extends Schema, Out, Ctx> {
  /** The actor to run. */
  actor: BaseActor<S, Out, Ctx>;
  /** A label copied onto every record of its runs. */
  tag?: string;
  /** The most specific retry policy: wins over the actor's and the state's. */
  retry?: RetryConfig;
}

/**
 * An actor bound to a tag and a retry policy. `run()` returns a lazy run; the same event may run
 * many times, also concurrently, and each run is independent (its own address and records).
 */
export class ExecutionEvent<S extends Schema = Schema, Out = unknown, Ctx = unknown> {
  readonly actor: BaseActor<S, Out, Ctx>;
  readonly tag: string | undefined;
  readonly retry: RetryConfig | undefined;
  readonly #spec: RunSpec;

  constructor(options: ExecutionEventOptions<S, Out, Ctx>) {
    if (
      options === null ||
      typeof options !== 'object' ||
      typeof options.actor?.handler !== 'function'
    ) {
      throw new TypeError(
        `new ExecutionEvent(): expected { actor: Tool | Agent | LLM, tag?, retry? }, got ${describe(options)}.`,
      );
    }
    checkNoNulls('new ExecutionEvent()', options);
    if (options.tag !== undefined && typeof options.tag !== 'string') {
      throw new TypeError(
        `new ExecutionEvent(): expected \`tag\` to be a string, got ${describe(options.tag)}.`,
      );
    }
    this.actor = options.actor;
    this.tag = options.tag;
    this.retry = options.retry;
    this.#spec = {
      actor: options.actor,
      tag: options.tag,
      retryConfig: options.retry,
      retry:
        options.retry === undefined
          ? undefined
          : resolveRetryConfig(options.retry, `ExecutionEvent '${options.actor.name}' retry`),
    };
  }

  /**
   * A lazy run of the actor: nothing starts until it is awaited or handed to a parallel group.
   * Resolves to an `ExecutionResult`; handler errors give `ok: false`, never a rejection.
   */
  run(input: z.input<S>, context: Ctx, state: ExecutionState): LazyRun<Out>;
  run(input: z.input<S>, context: Ctx | undefined, state: ExecutionState): LazyRun<Out>;
  run(input: z.input<S>, context: Ctx, state: ExecutionState): LazyRun<Out> {
    if (
      state === null ||
      typeof state !== 'object' ||
      typeof (state as { parallel?: unknown }).parallel !== 'function'
    ) {
      throw new TypeError(
        `ExecutionEvent '${this.actor.name}'.run(input, context, state): expected an ExecutionState as the third argument, got ${describe(state)}.`,
      );
    }
    return new LazyRun(
      () => executeRun<Out>(this.#spec, input, context, state),
      `A run of ${this.actor.name} (event.run)`,
    );
  }
}
