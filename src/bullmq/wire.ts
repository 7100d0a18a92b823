/**
 * What travels between a coordinator and its workers, as JSON:
 *
 * - a job's data (`JobData`): the run (actor name and event type, input, context, address, tag,
 *   the event's retry policy, group id, branch index, the group's attempt), where to send the
 *   replies and a token naming this sending of the run;
 * - replies on a Redis stream per coordinator state (`ReplyEntry`): the run's execution records
 *   (its own and its nested runs'), in order, then its outcome. An error travels as its name and
 *   message, a result as JSON;
 * - a job's return value: the outcome again, so a resumed coordinator can collect it.
 */
import type { ExecutionRecord, RemoteOutcome, RemoteRun } from '../index.js';
import { toJsonValue } from '../recovery/json-value.js';
import { messageOf } from '../util/describe.js';

/** The version of the job data and replies; a worker refuses another. */
export const WIRE_VERSION = 1;

export interface JobData {
  v: number;
  run: RemoteRun;
  /** The Redis stream the worker writes the run's records and outcome to. */
  replyTo: string;
  /** Names this sending of the run: replies carry it, so a retry of the same job id is not confused with an earlier one. */
  token: string;
}

/** One entry of a reply stream (stream fields `j`, `t`, `r`, and `o` on the last one). */
export interface ReplyEntry {
  jobId: string;
  token: string;
  records: ExecutionRecord[];
  outcome: RemoteOutcome | undefined;
}

/** Redis keys of the protocol, under BullMQ's prefix and the queue's name. */
export function replyStreamKey(prefix: string, queueName: string, stateId: string): string {
  return `${prefix}:${queueName}:rh-replies:${stateId}`;
}

export function cancelChannel(prefix: string, queueName: string): string {
  return `${prefix}:${queueName}:rh-cancel`;
}

/** The error a record or outcome carries, as plain data. */
export function errorData(error: unknown): { name: string; message: string } {
  const name =
    error instanceof Error ? error.name : typeof error === 'string' ? 'Error' : typeof error;
  return { name, message: messageOf(error) };
}

/** The error of a record or outcome received: an `Error` with the name and message it had. */
export function errorFromData(data: { name: string; message: string }): Error {
  const error = new Error(data.message);
  error.name = data.name;
  return error;
}

/** A record as it travels: its error by name and message, a result that JSON cannot hold left out. */
export function recordToWire(record: ExecutionRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { ...record };
  if (record.error !== undefined) out.error = errorData(record.error);
  if ('result' in record) {
    try {
      out.result = toJsonValue(record.result, record.address);
    } catch {
      delete out.result; // the outcome says why the run failed
    }
  }
  return out;
}

export function recordFromWire(data: Record<string, unknown>): ExecutionRecord {
  const record = data as unknown as ExecutionRecord;
  if (data.error !== undefined && data.error !== null)
    record.error = errorFromData(data.error as { name: string; message: string });
  return record;
}

/**
 * The outcome of a run that a worker executed. A result that cannot travel as JSON fails the run,
 * with a message naming its address and where in the result the problem is.
 */
export function outcomeOf(
  result: {
    ok: boolean;
    result?: unknown;
    error?: unknown;
    errorMessage?: string;
    executionTimeMs?: number;
  },
  address: string,
): RemoteOutcome {
  if (!result.ok) {
    const error = errorData(result.error ?? new Error(result.errorMessage));
    if (result.errorMessage !== undefined) error.message = result.errorMessage;
    return { ok: false, error, executionTimeMs: result.executionTimeMs };
  }
  try {
    const value = toJsonValue(result.result, `the run at ${address}`);
    return { ok: true, result: value, executionTimeMs: result.executionTimeMs };
  } catch (error) {
    return {
      ok: false,
      error: {
        name: 'UnstorableValueError',
        message: `The result of the run at ${address} cannot travel back to the coordinator as JSON: ${messageOf(error)}`,
      },
      executionTimeMs: result.executionTimeMs,
    };
  }
}

/** Job data received by a worker, checked; throws naming what is wrong. */
export function parseJobData(data: unknown, jobId: string): JobData {
  const d = data as Partial<JobData> | null;
  if (d === null || typeof d !== 'object' || d.v !== WIRE_VERSION) {
    throw new Error(
      `Job ${jobId} is not an rh-agents run of wire version ${WIRE_VERSION} (got version ${String(d?.v)}); run coordinators and workers of the same rh-agents version.`,
    );
  }
  const run = d.run;
  if (
    typeof d.replyTo !== 'string' ||
    typeof d.token !== 'string' ||
    run === null ||
    typeof run !== 'object' ||
    typeof run.address !== 'string' ||
    typeof run.actor?.name !== 'string'
  ) {
    throw new Error(`Job ${jobId} carries a malformed rh-agents run.`);
  }
  return d as JobData;
}
