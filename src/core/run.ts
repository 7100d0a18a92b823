import type { ExecutionRecord } from '../bus/events.js';
import type { AnyActor } from './actors.js';
import { isInstance } from '../util/describe.js';
import { ExecutionStatus } from '../util/enums.js';
import {
  ConditionError,
  InputValidationError,
  InterruptedError,
  OutputValidationError,
  messageOf,
} from '../util/errors.js';
import type { ExecutionState } from '../state/execution-state.js';
import { INTERNAL, type RunRuntime } from './runtime.js';
import { Frame, frameStorage } from './frame.js';
import { type RunResult, markResult, truncateDetail } from './result.js';
import { type ResolvedRetry, nextRetryDelay, pickRetry } from './retry.js';
import { sleep } from './sleep.js';
import type { LimiterPermit } from './run-limiter.js';

/** What one run needs to know about the event it belongs to. */
export interface RunSpec {
  actor: AnyActor;
  tag: string | undefined;
  retry: ResolvedRetry | undefined;
}

function describeIssues(
  actorName: string,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): InputValidationError {
  const fields = issues.map((issue) =>
    issue.path.length > 0 ? issue.path.map(String).join('.') : '(input)',
  );
  const parts = issues.map((issue, i) => `\`${fields[i]}\`: ${issue.message}`);
  return new InputValidationError(
    `Invalid input for ${actorName}: ${parts.join('; ')}. The handler was not called; pass input that matches its inputSchema.`,
    actorName,
    fields,
  );
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
  const internals: RunRuntime = state[INTERNAL];
  const parent = internals.currentFrame();
  const { actor, tag } = spec;
  const path = parent.childPath(parent.claim(actor.name));
  const address = `${path}::${actor.eventType}`;
  const branch = parent.branch;
  const startedAt = performance.now();
  const maxDetail = internals.detailMaxLength;
  /** This run's own attempts (its retry policy counts these). */
  let attempt = 1;
  /** Records count on from a group retry of the enclosing branch, so one address reads in order. */
  const attemptBase = (branch?.attempt ?? 1) - 1;

  const emit = (status: ExecutionStatus, extra: Partial<ExecutionRecord> = {}): void => {
    internals.record({
      kind: 'execution',
      actor: { name: actor.name, eventType: actor.eventType },
      address,
      status,
      executionTimeMs:
        status === ExecutionStatus.STARTED ? undefined : performance.now() - startedAt,
      message: undefined,
      detail: undefined,
      tag,
      groupId: branch?.groupId,
      parallelIndex: branch?.parallelIndex,
      isParallel: branch !== undefined,
      retryAttempt: attemptBase + attempt,
      timestamp: Date.now(),
      stateId: state.stateId,
      ...extra,
    });
  };

  const finish = (
    status: ExecutionStatus,
    error: unknown,
    message = messageOf(error),
  ): RunResult<Out> => {
    emit(status, { message, error });
    return markResult({
      ok: false,
      errorMessage: message,
      error,
      executionTimeMs: performance.now() - startedAt,
    });
  };

  /** The status of a run that stopped because its scope aborted, if it did. */
  const stopStatus = (): ExecutionStatus | undefined => {
    if (!parent.scope.aborted) return undefined;
    return parent.scope.reason instanceof InterruptedError
      ? ExecutionStatus.INTERRUPTED
      : ExecutionStatus.CANCELLED;
  };

  internals.interrupts.startClock();
  const polled = internals.interrupts.poll();
  if (polled === true || (polled !== false && (await polled))) {
    return finish(ExecutionStatus.INTERRUPTED, internals.interrupts.error);
  }
  const stopped = stopStatus();
  if (stopped) return finish(stopped, parent.scope.reason);

  emit(ExecutionStatus.STARTED, { detail: truncateDetail(input, maxDetail) });

  let parsed: Awaited<ReturnType<typeof actor.inputSchema.safeParseAsync>>;
  try {
    parsed = await actor.inputSchema.safeParseAsync(input);
  } catch (error) {
    // A refinement or transform that throws (instead of adding an issue) must not reject the run.
    return finish(
      ExecutionStatus.FAILED,
      new InputValidationError(
        `Invalid input for ${actor.name}: its inputSchema threw: ${messageOf(error)}. The handler was not called.`,
        actor.name,
        [],
        { cause: error },
      ),
    );
  }
  if (!parsed.success)
    return finish(ExecutionStatus.FAILED, describeIssues(actor.name, parsed.error.issues));
  const value: unknown = parsed.data;

  const frame = new Frame(internals, path, parent.scope, branch, address);
  const inFrame = <R>(fn: () => R): R => frameStorage.run(frame, fn);

  try {
    for (const [i, check] of actor.preconditions.entries()) {
      const passed = await inFrame(() => check(value, context, state));
      if (passed === false)
        throw new ConditionError(
          `Precondition ${check.name ? `'${check.name}'` : `#${i + 1}`} of ${actor.name} failed; the handler was not called.`,
        );
    }
  } catch (error) {
    return finish(
      ExecutionStatus.FAILED,
      isInstance(error, ConditionError)
        ? error
        : new ConditionError(`Precondition of ${actor.name} threw: ${messageOf(error)}`, {
            cause: error,
          }),
    );
  }

  const retry = pickRetry(
    [
      spec.retry,
      actor.resolvedRetry,
      internals.retryByEventType[actor.eventType],
      internals.defaultRetry,
    ],
    actor.eventType,
  );
  for (;;) {
    try {
      // ---- run limiter (issue 10): a permit around the handler of each attempt ----
      let permit: LimiterPermit | undefined;
      if (actor.limiter !== undefined) {
        permit = await actor.limiter.acquire({
          signal: parent.scope.signal,
          publish: (change) => internals.publish({ kind: 'limit', ...change }),
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
      // ---- end run limiter ----
      if (actor.outputSchema) {
        const out = await actor.outputSchema.safeParseAsync(result);
        if (!out.success) {
          const where = out.error.issues
            .map(
              (issue) => `\`${issue.path.map(String).join('.') || '(result)'}\`: ${issue.message}`,
            )
            .join('; ');
          throw new OutputValidationError(
            `${actor.name} returned a result that fails its outputSchema: ${where}. Fix the handler or widen the outputSchema.`,
          );
        }
        result = out.data;
      }
      for (const [i, check] of actor.postconditions.entries()) {
        let passed: boolean;
        try {
          passed = await inFrame(() => check(result, value, context, state));
        } catch (error) {
          throw new ConditionError(`Postcondition of ${actor.name} threw: ${messageOf(error)}`, {
            cause: error,
          });
        }
        if (passed === false)
          throw new ConditionError(
            `Postcondition ${check.name ? `'${check.name}'` : `#${i + 1}`} of ${actor.name} failed.`,
          );
      }
      emit(ExecutionStatus.COMPLETED, { detail: truncateDetail(result, maxDetail), result });
      return markResult({
        ok: true,
        result: result as Out,
        executionTimeMs: performance.now() - startedAt,
      });
    } catch (error) {
      const status = stopStatus();
      // Stopped from outside: the reason says why (the handler's own error, often an AbortError,
      // stays on `error`).
      if (status) return finish(status, error, messageOf(parent.scope.reason));
      const delay = nextRetryDelay(retry, attempt, error, performance.now() - startedAt);
      if (delay !== undefined) {
        attempt++;
        emit(ExecutionStatus.RETRYING, {
          message: `Attempt ${attempt - 1} of ${retry.maxAttempts} failed: ${messageOf(error)}; retrying in ${Math.round(delay)} ms.`,
          error,
        });
        try {
          await sleep(delay, parent.scope);
        } catch (reason) {
          // The sleep rejects only when the scope aborted, so there is a stop status.
          return finish(stopStatus() as ExecutionStatus, reason);
        }
        continue;
      }
      return finish(
        ExecutionStatus.FAILED,
        error,
        attempt > 1 ? `${messageOf(error)} (after ${attempt} attempts)` : messageOf(error),
      );
    }
  }
}
