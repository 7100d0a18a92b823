/**
 * What travels between a coordinator and its workers, as JSON:
 *
 * - a job's data (`JobData`): the run (actor name and event type, input, context, address, tag,
 *   the event's retry policy, group id, branch index, the group's attempt), where to send the
 *   replies and a token naming this sending of the run;
 * - replies on a Redis stream per coordinator state: each stream entry holds the replies a worker
 *   wrote in one turn (`b`: a JSON array of `[jobId, token, records, outcome?]`), the run's
 *   execution records (its own and its nested runs'), in order, then its outcome. A record
 *   travels compact (`WireRecord`): only what the coordinator cannot rebuild from the run it sent.
 *   An error travels as its name and message, a result as JSON, once (the outcome's);
 * - a job's return value: the outcome again, so a resumed coordinator can collect it.
 */
import {
  type ExecutionRecord,
  ExecutionStatus,
  type RemoteOutcome,
  type RemoteRun,
} from '../index.js';
import { toJsonValue } from '../recovery/json-value.js';
import { errorOf, restoredError } from '../recovery/records.js';
import { messageOf } from '../util/describe.js';

/** The version of the job data and replies; a worker refuses another. */
export const WIRE_VERSION = 2;

export interface JobData {
  v: number;
  run: RemoteRun;
  /** The Redis stream the worker writes the run's records and outcome to. */
  replyTo: string;
  /** Names this sending of the run: replies carry it, so a retry of the same job id is not confused with an earlier one. */
  token: string;
}

/**
 * A record as it travels: its status, timestamp and attempt, and what differs from the run that was
 * sent (its address, actor and tags for a nested run). The coordinator stamps its state id, takes
 * the run's address, actor and group tags, and rebuilds the `detail` of the run's own `started`
 * and `completed` records (from the input, and from the outcome's result, which is not sent twice).
 * A tag that differs from the run's but is absent travels as `null`.
 */
export interface WireRecord {
  /** status */
  s: ExecutionStatus;
  /** timestamp */
  x: number;
  /** retryAttempt */
  n: number;
  /** executionTimeMs */
  ms?: number;
  /** message */
  m?: string;
  /** detail */
  d?: string;
  /** address, of a nested run */
  a?: string;
  /** actor name and event type, of a nested run */
  c?: [name: string, eventType: string];
  /** tag, groupId, parallelIndex, isParallel, when they differ from the run's */
  g?: string | null;
  gi?: string | null;
  pi?: number | null;
  p?: false;
  /** result */
  r?: unknown;
  /** error */
  e?: { name: string; message: string };
}

/** The replies of one job in a reply stream entry: its records so far, then (last) its outcome. */
export type WireReply = [
  jobId: string,
  token: string,
  records: WireRecord[],
  outcome?: RemoteOutcome,
];

/** The replies of one job, received (records still compact: the coordinator knows the run). */
export interface ReplyEntry {
  jobId: string;
  token: string;
  records: WireRecord[];
  outcome: RemoteOutcome | undefined;
}

/** Redis keys of the protocol, under BullMQ's prefix and the queue's name. */
export function replyStreamKey(prefix: string, queueName: string, stateId: string): string {
  return `${prefix}:${queueName}:rh-replies:${stateId}`;
}

export function cancelChannel(prefix: string, queueName: string): string {
  return `${prefix}:${queueName}:rh-cancel`;
}

/** A record of `run` (or of a run nested in it) as it travels: see `WireRecord`. */
export function recordToWire(record: ExecutionRecord, run: RemoteRun): WireRecord {
  const out: WireRecord = { s: record.status, x: record.timestamp, n: record.retryAttempt };
  if (record.executionTimeMs !== undefined) out.ms = record.executionTimeMs;
  if (record.message !== undefined) out.m = record.message;
  const own = record.address === run.address;
  if (!own) {
    out.a = record.address;
    out.c = [record.actor.name, record.actor.eventType];
  }
  if (record.tag !== run.tag) out.g = record.tag ?? null;
  if (record.groupId !== run.groupId) out.gi = record.groupId ?? null;
  if (record.parallelIndex !== run.parallelIndex) out.pi = record.parallelIndex ?? null;
  if (!record.isParallel) out.p = false;
  const rebuilt =
    own &&
    (record.status === ExecutionStatus.STARTED || record.status === ExecutionStatus.COMPLETED);
  if (record.detail !== undefined && !rebuilt) out.d = record.detail;
  if (record.error !== undefined) out.e = errorOf(record.error);
  // The run's own result travels once, in its outcome.
  if ('result' in record && !(own && record.status === ExecutionStatus.COMPLETED)) {
    try {
      const result = toJsonValue(record.result, record.address);
      if (result !== undefined) out.r = result;
    } catch {
      // left out: the outcome says why the run failed
    }
  }
  return out;
}

/**
 * A record received for `run`, rebuilt with the coordinator's state id and the run's address,
 * actor and group tags. The run's own `started` and `completed` records come without `detail`
 * (the coordinator builds it), its `completed` record without `result` (the outcome has it).
 */
export function recordFromWire(data: WireRecord, run: RemoteRun): ExecutionRecord {
  const record: ExecutionRecord = {
    kind: 'execution',
    actor:
      data.c === undefined
        ? { name: run.actor.name, eventType: run.actor.eventType }
        : { name: data.c[0], eventType: data.c[1] as ExecutionRecord['actor']['eventType'] },
    address: data.a ?? run.address,
    status: data.s,
    executionTimeMs: data.ms ?? undefined,
    message: data.m ?? undefined,
    detail: data.d ?? undefined,
    tag: data.g === undefined ? run.tag : (data.g ?? undefined),
    groupId: data.gi === undefined ? run.groupId : (data.gi ?? undefined),
    parallelIndex: data.pi === undefined ? run.parallelIndex : (data.pi ?? undefined),
    isParallel: data.p ?? true,
    retryAttempt: data.n,
    timestamp: data.x,
    stateId: run.stateId,
  };
  if ('r' in data) record.result = data.r;
  if (data.e !== undefined && data.e !== null) record.error = restoredError(data.e);
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
    const error = errorOf(result.error ?? new Error(result.errorMessage));
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
