import type { ExecutionState } from '../state/execution-state.js';
import { describe } from '../util/describe.js';
import { CancelledError } from '../util/errors.js';
import type { AnyActor } from './actors.js';
import { CancelScope } from './cancel-scope.js';
import { type BranchInfo, Frame, frameStorage } from './frame.js';
import type { RemoteRun } from './remote.js';
import type { RunResult } from './result.js';
import { resolveRetryConfig } from './retry.js';
import { executeRun } from './run.js';
import { INTERNAL } from './runtime.js';

/**
 * The worker's side of a `RemoteExecutor`: runs `run` (received from a coordinator) on `state`,
 * through the same run machinery as a local run (validation, conditions, retries, limiter,
 * events), at the coordinator's address and with its group tags, so the records it publishes on
 * `state.eventBus` are the ones the coordinator would have made. `signal` cancels it: its handler's
 * `state.signal` aborts and the run ends `cancelled`. `cancel`, instead of a signal, is given the
 * function that cancels the run (with a reason), at once: it costs no listener on a hot path.
 * Never rejects for handler errors.
 */
export function executeRemoteRun(
  state: ExecutionState,
  actor: AnyActor,
  run: RemoteRun,
  options: { signal?: AbortSignal; cancel?: (abort: (reason: unknown) => void) => void } = {},
): Promise<RunResult<unknown>> {
  if (actor.name !== run.actor.name || actor.eventType !== run.actor.eventType) {
    throw new TypeError(
      `executeRemoteRun(): the run is for ${run.actor.eventType} '${run.actor.name}', but the actor given is ${actor.eventType} '${actor.name}'.`,
    );
  }
  const suffix = `::${run.actor.eventType}`;
  if (!run.address.endsWith(suffix)) {
    throw new TypeError(
      `executeRemoteRun(): the address ${describe(run.address)} does not end with '${suffix}'.`,
    );
  }
  const runtime = state[INTERNAL];
  const root = runtime.currentFrame();
  const scope = new CancelScope(root.scope);
  const { signal } = options;
  const cancel = (reason: unknown): void =>
    scope.abort(
      new CancelledError(`Cancelled by the coordinator: ${describeReason(reason)}.`, {
        cause: reason,
      }),
    );
  const onAbort = (): void => cancel(signal?.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  options.cancel?.(cancel);
  const path = run.address.slice(0, -suffix.length);
  const cut = path.lastIndexOf('::');
  const branch: BranchInfo = {
    groupId: run.groupId,
    parallelIndex: run.parallelIndex,
    depth: 0,
    attempt: run.attempt,
  };
  const frame = new Frame(runtime, cut < 0 ? '' : path.slice(0, cut), scope, branch, undefined);
  const retry =
    run.retry === undefined
      ? undefined
      : resolveRetryConfig(run.retry, `remote run ${run.address} retry`);
  return frameStorage
    .run(frame, () =>
      executeRun<unknown>({ actor, tag: run.tag, retry, at: path }, run.input, run.context, state),
    )
    .finally(() => {
      signal?.removeEventListener('abort', onAbort);
      scope.dispose();
    });
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'the group ended';
}
