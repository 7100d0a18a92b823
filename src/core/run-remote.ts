import { type ExecutionRecord, RUN_END_STATUSES } from '../bus/events.js';
import { messageOf } from '../util/describe.js';
import { ExecutionStatus } from '../util/enums.js';
import { type RunResult, markResult, truncateDetail } from './result.js';
import type { RemoteExecutor, RemoteRun } from './remote.js';
import type { Run } from './run.js';

/**
 * A run of a group with an `executor`: it executes on another process. The coordinator keeps what
 * makes it a run here (its address, replay, interrupts), publishes the records the worker sends
 * back with the same addresses and group tags, and is the only one to checkpoint them: each run
 * (this one and those nested under it) is recorded when its final record arrives.
 */
export async function executeOnRemote<Out>(
  run: Run<Out>,
  executor: RemoteExecutor,
): Promise<RunResult<Out>> {
  const { recorder, runtime, parent, spec } = run;
  const branch = parent.branch;
  const address = recorder.address;
  /** Records of nested runs, by address, until their run ends. */
  const nested = new Map<string, ExecutionRecord[]>();
  let final: ExecutionRecord | undefined;
  const own: ExecutionRecord[] = [];
  const onRecord = (received: ExecutionRecord): void => {
    // Stamped as the coordinator's own: a worker's state may have another id.
    const record: ExecutionRecord = { ...received, stateId: runtime.stateId };
    if (record.address === address) {
      if (RUN_END_STATUSES.has(record.status)) final = record;
      else {
        // An executor may leave the detail of the run's start to the coordinator, which has the input.
        if (record.status === ExecutionStatus.STARTED && record.detail === undefined)
          record.detail = truncateDetail(run.input, runtime.detailMaxLength);
        own.push(record);
        recorder.keep(record);
      }
      return;
    }
    const records = nested.get(record.address) ?? [];
    records.push(record);
    if (RUN_END_STATUSES.has(record.status) && runtime.checkpoint) {
      nested.delete(record.address);
      // A nested run's records go to the checkpoint like a local run's; a failure to store them
      // is reported on the run's own outcome by the worker already, so it is not fatal here.
      void Promise.resolve()
        .then(() => runtime.checkpoint?.(records))
        .catch(() => {});
    } else nested.set(record.address, records);
    runtime.record(record);
  };
  if (branch === undefined) throw new Error('a remote run needs its branch'); // never: checked by the caller
  const remote: RemoteRun = {
    stateId: runtime.stateId,
    address,
    actor: { name: spec.actor.name, eventType: spec.actor.eventType },
    input: run.input,
    context: run.context,
    tag: spec.tag,
    retry: spec.retryConfig,
    groupId: branch.groupId,
    parallelIndex: branch.parallelIndex,
    attempt: branch.attempt,
  };
  let outcome;
  try {
    outcome = await executor.execute(remote, { signal: parent.scope.signal, onRecord });
  } catch (error) {
    const status = run.stopStatus();
    if (status) return run.fail(status, error, messageOf(parent.scope.reason));
    return run.fail(ExecutionStatus.FAILED, error);
  }
  if (outcome.ok) {
    if (final?.status === ExecutionStatus.COMPLETED) {
      // An executor may send the result once, in the outcome, and leave the detail to the coordinator.
      if (!('result' in final) && outcome.result !== undefined) final.result = outcome.result;
      final.detail ??= truncateDetail(outcome.result, runtime.detailMaxLength);
    }
    const record = await recorder.end(
      final ??
        recorder.build(ExecutionStatus.COMPLETED, {
          detail: truncateDetail(outcome.result, runtime.detailMaxLength),
          result: outcome.result,
        }),
    );
    if (record.status !== ExecutionStatus.COMPLETED) return run.failedWith(record);
    run.trace?.end({
      status: record.status,
      result: outcome.result,
      attempts: record.retryAttempt,
    });
    return markResult({
      ok: true,
      result: outcome.result as Out,
      executionTimeMs: recorder.elapsed(),
    });
  }
  // The error crosses the process boundary by name and message, not as the same object.
  const error = Object.assign(new Error(outcome.error.message), { name: outcome.error.name });
  // The worker's own final record, unless it disagrees with the outcome (a result that could not
  // travel back ends a run that completed there as failed here).
  const record = await recorder.end(
    final !== undefined && final.status !== ExecutionStatus.COMPLETED
      ? { ...final, error }
      : recorder.build(ExecutionStatus.FAILED, { message: error.message, error }),
  );
  return run.failedWith(record);
}
