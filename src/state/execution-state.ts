import type { EventBus } from '../bus/event-bus.js';
import type { BusEvent, LogSeverity, UnstampedEvent } from '../bus/events.js';
import type { BaseActor, Schema } from '../core/actors.js';
import { CancelScope } from '../core/cancel-scope.js';
import { Frame, frameStorage } from '../core/frame.js';
import { ExecutionHistory } from '../core/history.js';
import { type Interrupts, Interrupts as InterruptSwitch } from '../core/interrupts.js';
import { LazyRun } from '../core/lazy-run.js';
import { executeRun } from '../core/run.js';
import { INTERNAL, type RunRuntime } from '../core/runtime.js';
import { StateStorage } from '../core/storage.js';
import { ConcurrencyLimiter } from '../parallel/limiter.js';
import { ParallelExecutionManager } from '../parallel/manager.js';
import { MetricsCollector, type ParallelMetrics } from '../parallel/metrics.js';
import type { ParallelOptions } from '../parallel/options.js';
import type { GroupRuntime } from '../parallel/runtime.js';
import type { ParallelResult } from '../parallel/types.js';
import { type StateBackend, checkStateId } from '../recovery/backend.js';
import { RhAgentsError } from '../util/errors.js';
import {
  type StateMetadata,
  type StateSnapshot,
  type StateStatus,
  checkSnapshot,
} from '../recovery/snapshot.js';
import { describe, messageOf, textOf } from '../util/describe.js';
import { checkFunction } from '../util/validate.js';
import { type ExecutionStateOptions, resolveStateOptions } from './options.js';
import { RESTORE, type Restore, StateRecovery } from './recovery.js';
import type { z } from 'zod';

export type { ExecutionStateOptions } from './options.js';

const SEVERITIES: readonly LogSeverity[] = ['debug', 'info', 'warning', 'error'];

/** @internal The state's runtime: what runs and groups use of it, wired here. */
export interface StateRuntime extends RunRuntime, GroupRuntime {
  readonly bus: EventBus;
  readonly interrupts: Interrupts;
}

/** Options of `ExecutionState.fromSnapshot()`: the constructor's, but the id comes from the snapshot. */
export type RestoreOptions = Omit<ExecutionStateOptions, 'stateId'>;

/** Options of `ExecutionState.load()`: where the state is stored, and how to restore it. */
export type LoadOptions = RestoreOptions & { stateBackend: StateBackend };

/**
 * The shared context of a pipeline: its event bus, history, storage, interrupts and parallel
 * groups, and (with a `stateBackend`) its durable checkpoints. The per-branch execution stack is not
 * kept here but in the async context, so concurrent branches never see each other's nesting. This
 * is the composition root: it wires the bus, the run machinery, the groups and recovery together.
 */
export class ExecutionState {
  readonly stateId: string;
  readonly eventBus: EventBus;
  readonly history = new ExecutionHistory();
  readonly storage = new StateStorage();
  readonly maxConcurrency: number | undefined;
  /** @internal */
  readonly [INTERNAL]: StateRuntime;
  readonly #recovery: StateRecovery;
  readonly #whenIdle: () => Promise<void>;

  constructor(options: ExecutionStateOptions = {}) {
    // Read before the options are checked (they are checked knowing whether this is a restore);
    // anything that is not an object is refused by the check itself.
    const restore =
      typeof options === 'object' && options !== null
        ? (options as { [RESTORE]?: Restore })[RESTORE]
        : undefined;
    const resolved = resolveStateOptions(options, restore !== undefined);
    const { stateId } = resolved;
    this.stateId = stateId;
    this.eventBus = resolved.eventBus;
    this.maxConcurrency = resolved.maxConcurrency;
    // A restored run whose result cannot be read back from the artifact store runs again, warned.
    const warn = (address: string, message: string, metadata: Record<string, unknown>): void => {
      const branch = this[INTERNAL].currentFrame().branch;
      publish({
        kind: 'log',
        severity: 'warning',
        message,
        metadata,
        address,
        groupId: branch?.groupId,
        parallelIndex: branch?.parallelIndex,
        isParallel: branch !== undefined,
      });
    };
    const recovery = new StateRecovery(resolved, this.history, this.storage, restore, warn);
    this.#recovery = recovery;

    // With per-run checkpoints, a run's end sets the state's status before it is written; without,
    // when it is published.
    const checkpoint = recovery.checkpoint;
    const root = new CancelScope();
    const bus = this.eventBus;
    const history = this.history;
    // Stamps the (fresh) event in place: copying a group event with a spread cost microseconds.
    const publish = (event: UnstampedEvent): void => {
      const stamped = event as BusEvent;
      stamped.timestamp = Date.now();
      stamped.stateId = stateId;
      if (stamped.kind === 'interrupt') recovery.interrupted();
      bus.publish(stamped);
    };
    let inFlight = 0;
    let idle: (() => void)[] = [];
    this.#whenIdle = () =>
      inFlight === 0 ? Promise.resolve() : new Promise((resolve) => idle.push(resolve));
    const runtime: StateRuntime = {
      stateId,
      inFlight: {
        enter: () => {
          inFlight++;
          if (recovery.status !== 'running') recovery.running();
        },
        exit: () => {
          if (--inFlight > 0 || idle.length === 0) return;
          const waiters = idle;
          idle = [];
          for (const resolve of waiters) resolve();
        },
      },
      currentFrame: () => {
        const frame = frameStorage.getStore();
        return frame !== undefined && frame.owner === runtime ? frame : rootFrame;
      },
      bus,
      publish,
      record: checkpoint
        ? (record) => {
            history.record(record);
            bus.publish(record);
          }
        : (record) => {
            recovery.noteEnd(record);
            history.record(record);
            bus.publish(record);
          },
      interrupts: new InterruptSwitch(root, publish, resolved.interruptChecker, resolved.timeoutMs),
      limiter:
        resolved.maxConcurrency === undefined || resolved.maxConcurrency === Infinity
          ? undefined
          : new ConcurrencyLimiter(resolved.maxConcurrency),
      metrics: new MetricsCollector(),
      topLevelGroupEnded: (status) => recovery.noteGroupEnd(status),
      detailMaxLength: resolved.detailMaxLength,
      defaultRetry: resolved.defaultRetry,
      retryByEventType: resolved.retryByEventType,
      tracing: resolved.tracing,
      replay: recovery.replay,
      checkpoint,
    };
    const rootFrame = new Frame(runtime, '', root, undefined, undefined);
    this[INTERNAL] = runtime;
  }

  /**
   * Resolves once no run of this state is in flight: every run that started has recorded its end
   * (and, with a state backend, checkpointed it). After an interrupt or a deadline, runs that were
   * in flight may still be ending (a task that ignores its signal, say): await this before loading
   * the same state elsewhere, so that only one writer appends to it.
   */
  settled(): Promise<void> {
    return this.#whenIdle();
  }

  /** What is stored with the state: pipeline, description, tags, parent state id, custom data. */
  get metadata(): Readonly<StateMetadata> {
    return this.#recovery.metadata;
  }

  /**
   * `running` until its top-level run ends (then `completed` or `failed`, as that run did), or
   * `interrupted` once it was interrupted.
   */
  get status(): StateStatus {
    return this.#recovery.status;
  }

  /** The state backend its checkpoints go to, if any. */
  get stateBackend(): StateBackend | undefined {
    return this.#recovery.options.stateBackend;
  }

  /**
   * The whole state as plain, versioned JSON (never code): id, timestamps, status, metadata, the
   * history with results, the storage. Throws an `UnstorableValueError` naming the address of a
   * result that JSON cannot hold.
   */
  toSnapshot(): StateSnapshot {
    return this.#recovery.snapshot();
  }

  /** Writes the whole state to its `stateBackend` now (with `checkpoint: 'manual'`, the only write). */
  async saveCheckpoint(): Promise<void> {
    const checkpointer = this.#recovery.checkpointer;
    if (!checkpointer) {
      throw new RhAgentsError(
        `state '${this.stateId}': saveCheckpoint() needs a stateBackend; create the state with one, e.g. new ExecutionState({ stateBackend: new FileSystemStateBackend({ dir: '.rh-agents' }) }).`,
      );
    }
    await checkpointer.save();
  }

  /**
   * A state restored from a snapshot (`state.toSnapshot()`, or a stored one): its history,
   * storage, metadata and status. When the same program runs again on it, runs that completed
   * before are replayed (see `replayMode`, `resumeFromAddress`).
   */
  static fromSnapshot(snapshot: StateSnapshot, options: RestoreOptions = {}): ExecutionState {
    const checked = checkSnapshot(snapshot, 'ExecutionState.fromSnapshot(): the snapshot');
    return ExecutionState.#restore(checked, options, false);
  }

  /** The state stored under `stateId` in `options.stateBackend`, restored; `StateNotFoundError` if there is none. */
  static async load(stateId: string, options: LoadOptions): Promise<ExecutionState> {
    checkStateId(stateId, 'ExecutionState.load()');
    if (options === null || typeof options !== 'object' || options.stateBackend === undefined) {
      throw new TypeError(
        `ExecutionState.load(): expected options with a \`stateBackend\` to load from, got ${describe(options)}.`,
      );
    }
    resolveStateOptions({ ...options, stateId }); // options checked before anything is read
    const snapshot = await options.stateBackend.load(stateId);
    return ExecutionState.#restore(snapshot, options, true);
  }

  static #restore(
    snapshot: StateSnapshot,
    options: RestoreOptions,
    saved: boolean,
  ): ExecutionState {
    const { resumeFromAddress } = options ?? {};
    if (
      resumeFromAddress !== undefined &&
      !snapshot.history.some((record) => record.address === resumeFromAddress)
    ) {
      const known = [...new Set(snapshot.history.map((record) => record.address))].slice(0, 5);
      throw new TypeError(
        `state '${snapshot.stateId}': \`resumeFromAddress\` ${describe(resumeFromAddress)} is not in its history; pass the address of a recorded run${known.length > 0 ? `, e.g. ${known.map((a) => `'${a}'`).join(', ')}` : ''}.`,
      );
    }
    const restore: Restore = { snapshot, saved };
    return new ExecutionState({
      ...options,
      stateId: snapshot.stateId,
      [RESTORE]: restore,
    } as ExecutionStateOptions);
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
      message: textOf(message),
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
  requestInterrupt(reason: string = 'requestInterrupt() was called'): void {
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
