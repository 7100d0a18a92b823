import { randomUUID } from 'node:crypto';
import { EventBus } from '../bus/event-bus.js';
import type { BusEvent, LogSeverity, UnstampedEvent } from '../bus/events.js';
import { ConcurrencyLimiter } from '../parallel/limiter.js';
import { ParallelExecutionManager } from '../parallel/manager.js';
import { MetricsCollector, type ParallelMetrics } from '../parallel/metrics.js';
import type { ParallelOptions } from '../parallel/options.js';
import type { ParallelResult } from '../parallel/types.js';
import type { BaseActor, Schema } from '../core/actors.js';
import { CancelScope } from '../core/cancel-scope.js';
import { messageOf } from '../util/describe.js';
import { EventType } from '../util/enums.js';
import { Frame, frameStorage } from '../core/frame.js';
import { ExecutionHistory } from '../core/history.js';
import { INTERNAL, type RunRuntime } from '../core/runtime.js';
import type { GroupRuntime } from '../parallel/runtime.js';
import { type InterruptChecker, Interrupts } from '../core/interrupts.js';
import { LazyRun } from '../core/lazy-run.js';
import { type ResolvedRetry, type RetryConfig, resolveRetryConfig } from '../core/retry.js';
import { executeRun } from '../core/run.js';
import { StateStorage } from '../core/storage.js';
import {
  checkFunction,
  checkInteger,
  checkKnownKeys,
  checkNumber,
  describe,
} from '../util/validate.js';
import type { z } from 'zod';

/** Options of `new ExecutionState()`. Every duration is in milliseconds. */
export interface ExecutionStateOptions {
  /** Where events are published. @default a new EventBus */
  eventBus?: EventBus;
  /** Cap on running parallel branches across every group of this state. @default none */
  maxConcurrency?: number;
  /** Retry policy for every run that has no more specific one. @default built-in per event type */
  defaultRetry?: RetryConfig;
  /** Retry policy per event type; wins over `defaultRetry`. */
  retryByEventType?: Partial<Record<EventType, RetryConfig>>;
  /** The state's id: letters, digits, `_` and `-`, at most 128. @default a random UUID */
  stateId?: string;
  /** Polled before every run and by `checkInterrupt()`; something truthy (a reason string, or `true`) interrupts the state. */
  interruptChecker?: InterruptChecker;
  /** Interrupts the state this long after its first run starts. @default none */
  timeoutMs?: number;
  /** Longest `detail` string on execution records. @default 200 */
  detailMaxLength?: number;
}

const KEYS = [
  'eventBus',
  'maxConcurrency',
  'defaultRetry',
  'retryByEventType',
  'stateId',
  'interruptChecker',
  'timeoutMs',
  'detailMaxLength',
];
const STATE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const SEVERITIES: readonly LogSeverity[] = ['debug', 'info', 'warning', 'error'];

/** @internal The state's runtime: what runs and groups use of it, wired here. */
export interface StateRuntime extends RunRuntime, GroupRuntime {
  readonly bus: EventBus;
  readonly interrupts: Interrupts;
}

/**
 * The shared context of a pipeline: its event bus, history, storage, interrupts and parallel
 * groups. The per-branch execution stack is not kept here but in the async context, so concurrent
 * branches never see each other's nesting.
 */
export class ExecutionState {
  readonly stateId: string;
  readonly eventBus: EventBus;
  readonly history = new ExecutionHistory();
  readonly storage = new StateStorage();
  readonly maxConcurrency: number | undefined;
  /** @internal */
  readonly [INTERNAL]: StateRuntime;

  constructor(options: ExecutionStateOptions = {}) {
    const owner = 'new ExecutionState()';
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${owner}: expected an options object, got ${describe(options)}.`);
    }
    checkKnownKeys(owner, options, KEYS);
    const stateId = options.stateId ?? randomUUID();
    if (typeof stateId !== 'string' || !STATE_ID.test(stateId)) {
      throw new TypeError(
        `${owner}: \`stateId\` must be a plain identifier (letters, digits, '_' and '-', 1 to 128 of them) because it names files and rows; got ${describe(stateId)}.`,
      );
    }
    if (options.eventBus !== undefined && !(options.eventBus instanceof EventBus)) {
      throw new TypeError(
        `${owner}: expected \`eventBus\` to be an EventBus, got ${describe(options.eventBus)}.`,
      );
    }
    if (options.interruptChecker !== undefined)
      checkFunction(owner, 'interruptChecker', options.interruptChecker);
    this.stateId = stateId;
    this.eventBus = options.eventBus ?? new EventBus();
    this.maxConcurrency =
      options.maxConcurrency === undefined
        ? undefined
        : checkInteger(owner, 'maxConcurrency', options.maxConcurrency, { allowInfinity: true });
    const timeoutMs =
      options.timeoutMs === undefined
        ? undefined
        : checkNumber(owner, 'timeoutMs', options.timeoutMs, {
            exclusive: true,
            unit: 'milliseconds',
          });
    const detailMaxLength = checkInteger(owner, 'detailMaxLength', options.detailMaxLength ?? 200, {
      min: 1,
    });
    const defaultRetry =
      options.defaultRetry === undefined
        ? undefined
        : resolveRetryConfig(options.defaultRetry, `${owner} defaultRetry`);
    const retryByEventType: Partial<Record<EventType, ResolvedRetry>> = {};
    for (const [type, config] of Object.entries(options.retryByEventType ?? {})) {
      if (!Object.values(EventType).includes(type as EventType)) {
        throw new TypeError(
          `${owner}: unknown event type ${describe(type)} in \`retryByEventType\`; expected one of ${Object.values(EventType).join(', ')}.`,
        );
      }
      if (config !== undefined)
        retryByEventType[type as EventType] = resolveRetryConfig(
          config,
          `${owner} retryByEventType.${type}`,
        );
    }

    const root = new CancelScope();
    const bus = this.eventBus;
    const history = this.history;
    // Stamps the (fresh) event in place: copying a group event with a spread cost microseconds.
    const publish = (event: UnstampedEvent): void => {
      const stamped = event as BusEvent;
      stamped.timestamp = Date.now();
      stamped.stateId = stateId;
      bus.publish(stamped);
    };
    const runtime: StateRuntime = {
      stateId,
      currentFrame: () => {
        const frame = frameStorage.getStore();
        return frame !== undefined && frame.owner === runtime ? frame : rootFrame;
      },
      bus,
      publish,
      record: (record) => {
        history.record(record);
        bus.publish(record);
      },
      interrupts: new Interrupts(root, publish, options.interruptChecker, timeoutMs),
      limiter:
        this.maxConcurrency === undefined || this.maxConcurrency === Infinity
          ? undefined
          : new ConcurrencyLimiter(this.maxConcurrency),
      metrics: new MetricsCollector(),
      detailMaxLength,
      defaultRetry,
      retryByEventType,
      tracing: undefined,
      replay: undefined,
      checkpoint: undefined,
    };
    const rootFrame = new Frame(runtime, '', root, undefined, undefined);
    this[INTERNAL] = runtime;
  }

  /**
   * The `AbortSignal` of the current async context: it aborts when the current branch's group is
   * cancelled (or fails fast, or times out) or when the state is interrupted.
   */
  get signal(): AbortSignal {
    return this[INTERNAL].currentFrame().scope.signal;
  }

  /** The address of the run whose body is executing in the current async context, if any. */
  get currentAddress(): string | undefined {
    return this[INTERNAL].currentFrame().address;
  }

  /** Whether the state was interrupted. */
  get interrupted(): boolean {
    return this[INTERNAL].interrupts.interrupted;
  }

  /** Runs `actor` once: the short form of `new ExecutionEvent({ actor }).run(input, context, state)`. */
  run<S extends Schema, Out, Ctx>(
    actor: BaseActor<S, Out, Ctx>,
    input: z.input<S>,
    context?: Ctx,
  ): LazyRun<Out> {
    if (actor === null || typeof actor !== 'object' || typeof actor.handler !== 'function') {
      throw new TypeError(
        `state.run(actor, input, context?): expected a Tool, Agent or LLM, got ${describe(actor)}.`,
      );
    }
    return new LazyRun(
      () => executeRun<Out>({ actor, tag: undefined, retry: undefined }, input, context, this),
      `A run of ${actor.name} (state.run)`,
    );
  }

  /**
   * Opens a parallel group. Use it with `await using p = state.parallel(options)`, or pass a
   * callback: `await state.parallel(options, async (p) => { p.add(…) })` gathers when the callback
   * returns and, if it throws, cancels the group and rethrows once the tasks have settled.
   */
  parallel<T = unknown>(options?: ParallelOptions): ParallelExecutionManager<T>;
  parallel<T = unknown>(
    options: ParallelOptions,
    callback: (p: ParallelExecutionManager<T>) => unknown,
  ): Promise<ParallelResult<T>[]>;
  parallel<T = unknown>(
    options: ParallelOptions = {},
    callback?: (p: ParallelExecutionManager<T>) => unknown,
  ): ParallelExecutionManager<T> | Promise<unknown> {
    if (callback !== undefined)
      checkFunction('state.parallel(options, callback)', 'callback', callback);
    const manager = new ParallelExecutionManager<T>(this[INTERNAL], options);
    if (!callback) return manager;
    return (async () => {
      try {
        await callback(manager);
      } catch (error) {
        manager.cancel(`the callback threw: ${messageOf(error)}`);
        await manager.settled();
        throw error;
      }
      // A timeout or a fail_fast failure rejects at once: a task that ignores its aborted signal
      // is abandoned (it keeps its slot until it settles; a warning log event names it).
      return manager.gather();
    })();
  }

  /**
   * Publishes a `kind: 'log'` event, tagged with the address of the current run and, inside a
   * parallel branch, with the branch's `groupId` and `parallelIndex`.
   */
  log(message: string, severity: LogSeverity = 'info', metadata?: Record<string, unknown>): void {
    if (!SEVERITIES.includes(severity)) {
      throw new TypeError(
        `state.log(): unknown severity ${describe(severity)}; expected one of ${SEVERITIES.join(', ')}.`,
      );
    }
    const frame = this[INTERNAL].currentFrame();
    const branch = frame.branch;
    this[INTERNAL].publish({
      kind: 'log',
      message: String(message),
      severity,
      metadata,
      address: frame.address,
      groupId: branch?.groupId,
      parallelIndex: branch?.parallelIndex,
      isParallel: branch !== undefined,
    });
  }

  /**
   * Interrupts the state: publishes a `kind: 'interrupt'` event, aborts every signal, cancels the
   * running groups; runs started afterwards finish at once with status `interrupted`.
   */
  requestInterrupt(reason = 'requestInterrupt() was called'): void {
    this[INTERNAL].interrupts.request(reason, 'request');
  }

  /** A checkpoint: polls the interrupt checker and throws an `InterruptedError` if the state is interrupted. */
  async checkInterrupt(): Promise<void> {
    const interrupts = this[INTERNAL].interrupts;
    if (await interrupts.poll()) throw interrupts.error;
  }

  /** What the parallel groups of this state did: counts, peak concurrency, queue wait, retries, refusals. */
  metrics(): ParallelMetrics {
    return this[INTERNAL].metrics.snapshot();
  }
}
