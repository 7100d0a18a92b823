import { isInstance, isThenable, messageOf } from '../util/describe.js';
import { ExecutionStatus } from '../util/enums.js';
import { InterruptedError } from '../util/errors.js';
import type { ExecutionState } from '../state/execution-state.js';
import type { AnyActor } from './actors.js';
import { Frame, frameStorage } from './frame.js';
import type { ReplayPlan } from './replay.js';
import { type RunResult, markResult, truncateDetail } from './result.js';
import { type ResolvedRetry, type RetryConfig, nextRetryDelay, pickRetry } from './retry.js';
import { checkOutput, checkPreconditions, parseInput } from './run-checks.js';
import type { LimiterPermit } from './run-limiter.js';
import { RunRecorder } from './run-recorder.js';
import { executeOnRemote } from './run-remote.js';
import { INTERNAL, type RunRuntime } from './runtime.js';
import { sleep } from './sleep.js';
import type { RunTrace } from './tracing.js';

/** What one run needs to know about the event it belongs to. */
export interface RunSpec {
  actor: AnyActor;
  tag: string | undefined;
  retry: ResolvedRetry | undefined;
  /** The event's retry policy as given (what travels to a worker). */
  retryConfig?: RetryConfig;
  /** @internal The run's path, given (a worker running a coordinator's run); else claimed here. */
  at?: string;
}

/**
 * Runs an actor once (with its retries) as an addressed, observable event. Never rejects for
 * handler errors: they become `ok: false`.
 */
export async function executeRun<Out>(
  spec: RunSpec,
  input: unknown,
  context: unknown,
  state: ExecutionState,
): Promise<RunResult<Out>> {
  const runtime: RunRuntime = state[INTERNAL];
  const parent = runtime.currentFrame();
  const { actor, tag } = spec;
  const path = spec.at ?? parent.childPath(parent.claim(actor.name));
  const address = `${path}::${actor.eventType}`;
  const branch = parent.branch;
  const recorder = new RunRecorder(runtime, actor, address, tag, branch);
  const planned = runtime.replay?.(address);
  const plan = isThenable(planned) ? await planned : planned;
  const trace = runtime.tracing?.startRun({
    stateId: runtime.stateId,
    address,
    actor,
    tag,
    groupId: branch?.groupId,
    parallelIndex: branch?.parallelIndex,
    parent: parent.trace,
  });
  const run = new Run<Out>(spec, input, context, state, runtime, parent, path, recorder, trace);
  if (plan?.kind === 'recover') return run.recover(plan);
  return run.execute(plan);
}

/** One run from its checks to its end: attempts, retries, the final record and the result. */
class Run<Out> {
  constructor(
    readonly spec: RunSpec,
    readonly input: unknown,
    readonly context: unknown,
    readonly state: ExecutionState,
    readonly runtime: RunRuntime,
    readonly parent: Frame,
    readonly path: string,
    readonly recorder: RunRecorder,
    readonly trace: RunTrace | undefined,
  ) {}

  /** A run that completed before: its recorded result, without calling the handler. */
  recover(plan: Extract<ReplayPlan, { kind: 'recover' }>): RunResult<Out> {
    const { recorder, runtime } = this;
    if (plan.republish) for (const record of plan.records) runtime.bus.publish(record);
    else {
      runtime.record(
        recorder.build(ExecutionStatus.RECOVERED, {
          detail: truncateDetail(plan.result, runtime.detailMaxLength),
          result: plan.result,
        }),
      );
    }
    this.trace?.end({ status: ExecutionStatus.RECOVERED, result: plan.result, attempts: 0 });
    return markResult({ ok: true, result: plan.result as Out, executionTimeMs: 0 });
  }

  async execute(plan: ReplayPlan | undefined): Promise<RunResult<Out>> {
    const { actor } = this.spec;
    const { runtime, parent, recorder } = this;
    runtime.inFlight.enter(); // until the recorder records its end
    runtime.interrupts.startClock();
    const polled = runtime.interrupts.poll();
    if (polled === true || (polled !== false && (await polled))) {
      return this.fail(ExecutionStatus.INTERRUPTED, runtime.interrupts.error);
    }
    const stopped = this.stopStatus();
    if (stopped) return this.fail(stopped, parent.scope.reason);

    const executor = parent.branch?.executor;
    if (executor && parent.address === undefined) return executeOnRemote(this, executor);

    recorder.step(ExecutionStatus.STARTED, {
      detail: truncateDetail(this.input, runtime.detailMaxLength),
    });
    const parsed = await parseInput(actor, this.input);
    if (!parsed.ok) return this.fail(ExecutionStatus.FAILED, parsed.error);
    const value = parsed.value;

    const frame = new Frame(
      runtime,
      this.path,
      parent.scope,
      parent.branch,
      recorder.address,
      this.trace?.span,
    );
    const trace = this.trace;
    const inFrame = trace
      ? <R>(fn: () => R): R => frameStorage.run(frame, () => trace.activate(fn))
      : <R>(fn: () => R): R => frameStorage.run(frame, fn);
    const refused = await checkPreconditions(actor, value, this.context, this.state, inFrame);
    if (refused) return this.fail(ExecutionStatus.FAILED, refused);

    const retry = pickRetry(
      [
        this.spec.retry,
        actor.resolvedRetry,
        runtime.retryByEventType[actor.eventType],
        runtime.defaultRetry,
      ],
      actor.eventType,
    );
    for (;;) {
      try {
        const result = await this.attempt(value, inFrame);
        return await this.succeed(result, plan);
      } catch (error) {
        const status = this.stopStatus();
        // Stopped from outside: the reason says why (the handler's own error, often an AbortError,
        // stays on `error`).
        if (status) return this.fail(status, error, messageOf(parent.scope.reason));
        const delay = nextRetryDelay(retry, recorder.attempt, error, recorder.elapsed());
        if (delay === undefined) {
          const attempts = recorder.attempt;
          const message = messageOf(error);
          return this.fail(
            ExecutionStatus.FAILED,
            error,
            attempts > 1 ? `${message} (after ${attempts} attempts)` : message,
          );
        }
        trace?.retrying(recorder.attempt, error, delay);
        recorder.attempt++;
        recorder.step(ExecutionStatus.RETRYING, {
          message: `Attempt ${recorder.attempt - 1} of ${retry.maxAttempts} failed: ${messageOf(error)}; retrying in ${Math.round(delay)} ms.`,
          error,
        });
        try {
          await sleep(delay, parent.scope);
        } catch (reason) {
          // The sleep rejects only when the scope aborted, so there is a stop status.
          return this.fail(this.stopStatus() as ExecutionStatus, reason);
        }
      }
    }
  }

  /** One attempt: the handler (behind the actor's limiter, if any), then the output checks. */
  async attempt(value: unknown, inFrame: <R>(fn: () => R) => R): Promise<unknown> {
    const { actor } = this.spec;
    const { runtime, state, context } = this;
    let permit: LimiterPermit | undefined;
    if (actor.limiter !== undefined) {
      permit = await actor.limiter.acquire({
        signal: this.parent.scope.signal,
        publish: (change) => runtime.publish({ kind: 'limit', ...change }),
      });
    }
    let result: unknown;
    try {
      result = await inFrame(() => actor.handler(value, context, state));
    } catch (error) {
      permit?.release({ ok: false, error });
      throw error;
    }
    permit?.release({ ok: true, result });
    return checkOutput(actor, result, value, context, state, inFrame);
  }

  /** The status of a run that stopped because its scope aborted, if it did. */
  stopStatus(): ExecutionStatus | undefined {
    const scope = this.parent.scope;
    if (!scope.aborted) return undefined;
    return isInstance(scope.reason, InterruptedError)
      ? ExecutionStatus.INTERRUPTED
      : ExecutionStatus.CANCELLED;
  }

  async succeed(result: unknown, plan: ReplayPlan | undefined): Promise<RunResult<Out>> {
    const { recorder, runtime } = this;
    if (plan?.kind === 'validate') this.compare(plan.result, result);
    const record = await recorder.end(
      recorder.build(ExecutionStatus.COMPLETED, {
        detail: truncateDetail(result, runtime.detailMaxLength),
        result,
      }),
    );
    if (record.status !== ExecutionStatus.COMPLETED) return this.failedWith(record);
    this.trace?.end({ status: record.status, result, attempts: recorder.attempt });
    return markResult({ ok: true, result: result as Out, executionTimeMs: recorder.elapsed() });
  }

  async fail(
    status: ExecutionStatus,
    error: unknown,
    message = messageOf(error),
  ): Promise<RunResult<Out>> {
    const { recorder } = this;
    const record = await recorder.end(recorder.build(status, { message, error }));
    return this.failedWith(record);
  }

  failedWith(record: {
    status: ExecutionStatus;
    message?: string;
    error?: unknown;
  }): RunResult<Out> {
    const message = record.message ?? messageOf(record.error);
    this.trace?.end({
      status: record.status,
      error: record.error,
      message,
      attempts: this.recorder.attempt,
    });
    return markResult({
      ok: false,
      errorMessage: message,
      error: record.error,
      executionTimeMs: this.recorder.elapsed(),
    });
  }

  /** Validation replay: a result that differs from the recorded one is published as a warning. */
  compare(recorded: unknown, result: unknown): void {
    const before = stableJson(recorded);
    const now = stableJson(result);
    if (before === now) return;
    const { runtime, recorder } = this;
    const branch = recorder.branch;
    const max = runtime.detailMaxLength;
    runtime.publish({
      kind: 'log',
      severity: 'warning',
      message: `Validation: the run at ${recorder.address} returned a result that differs from the recorded one (recorded ${truncateDetail(recorded, max)}, now ${truncateDetail(result, max)}).`,
      metadata: { address: recorder.address, recorded, result },
      address: recorder.address,
      groupId: branch?.groupId,
      parallelIndex: branch?.parallelIndex,
      isParallel: branch !== undefined,
    });
  }
}

/** JSON with object keys sorted, so two equal values compare equal whatever their key order. */
function stableJson(value: unknown): string {
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) =>
        v !== null && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(
              Object.keys(v as object)
                .sort()
                .map((k) => [k, (v as Record<string, unknown>)[k]]),
            )
          : v,
      ) ?? 'undefined'
    );
  } catch {
    // JSON cannot hold it, so it cannot equal a recorded (JSON) result.
    return '\u0000unserializable';
  }
}

export type { Run };
