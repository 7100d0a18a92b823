/**
 * The stored form of a state: a versioned snapshot (plain JSON, never code) and the entries that
 * checkpoints append to it. `applyEntry` folds one entry into a snapshot; `checkSnapshot` and
 * `checkEntry` validate what was read back before it is trusted.
 */
import { describe } from '../util/describe.js';
import { checkStateId } from './backend.js';
import { CorruptStateError, StateVersionError } from './errors.js';
import type { JsonValue } from './json-value.js';

/** The `format` of every snapshot. */
export const STATE_FORMAT = 'rh-agents/state';
/** The format's major version that this rh-agents writes; a reader refuses a newer one. */
export const STATE_FORMAT_VERSION = 1;

export type StateStatus = 'running' | 'completed' | 'failed' | 'interrupted';
/** Every `StateStatus`. */
export const STATE_STATUSES: readonly StateStatus[] = Object.freeze([
  'running',
  'completed',
  'failed',
  'interrupted',
]);

export interface StateMetadata {
  pipeline?: string;
  description?: string;
  /** `[]` when none. */
  tags: string[];
  parentStateId?: string;
  custom?: { [key: string]: JsonValue };
}

/** One execution record as stored (the bus's `ExecutionRecord` made JSON-safe). */
export interface StoredRecord {
  actor: { name: string; eventType: 'agent_call' | 'tool_call' | 'llm_call' };
  address: string;
  /** An `ExecutionStatus` value. */
  status: string;
  executionTimeMs?: number;
  message?: string;
  detail?: string;
  tag?: string;
  groupId?: string;
  parallelIndex?: number;
  isParallel: boolean;
  retryAttempt: number;
  /** Epoch milliseconds. */
  timestamp: number;
  /** On completed records. */
  result?: JsonValue;
  /** On failed, cancelled and interrupted records. */
  error?: { name: string; message: string };
}

/** A whole state as plain, versioned JSON (never code). */
export interface StateSnapshot {
  format: 'rh-agents/state';
  /** Format major version, 1 now; a reader refuses a newer major. */
  version: number;
  stateId: string;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  status: StateStatus;
  metadata: StateMetadata;
  /** In publish order. */
  history: StoredRecord[];
  storage: { [key: string]: JsonValue };
}

/** What one checkpoint appends: the records of one run that ended, and/or a status change. */
export interface CheckpointEntry {
  /** Every record of that run (started, retrying…, completed|failed), in order. */
  records: StoredRecord[];
  /** A new state status, if it changed. */
  status?: StateStatus;
  /** The whole storage, if it changed since the last entry. */
  storage?: { [key: string]: JsonValue };
  updatedAt: number;
}

export interface StateSummary {
  stateId: string;
  pipeline?: string;
  tags: string[];
  status: StateStatus;
  createdAt: number;
  updatedAt: number;
}

/** `snapshot` with `entry` applied: its records appended, its status and storage taken. Pure. */
export function applyEntry(snapshot: StateSnapshot, entry: CheckpointEntry): StateSnapshot {
  return applyEntries({ ...snapshot, history: [...snapshot.history] }, [entry]);
}

/** Applies `entries` in order to `snapshot` itself (which the caller owns) and returns it. */
export function applyEntries(
  snapshot: StateSnapshot,
  entries: Iterable<CheckpointEntry>,
): StateSnapshot {
  for (const entry of entries) {
    for (const record of entry.records) snapshot.history.push(record);
    if (entry.status !== undefined) snapshot.status = entry.status;
    if (entry.storage !== undefined) snapshot.storage = entry.storage;
    snapshot.updatedAt = entry.updatedAt;
  }
  return snapshot;
}

/**
 * `value` (parsed from storage) as a snapshot. Throws `StateVersionError` when a newer rh-agents
 * wrote it, and `CorruptStateError` when it is not a snapshot; `where` names the state or file
 * in the message (`state 'abc' (/data/abc.state.jsonl)`).
 */
export function checkSnapshot(value: unknown, where: string): StateSnapshot {
  checkVersion(value, where);
  const problem = snapshotProblem(value);
  if (problem !== undefined) {
    throw new CorruptStateError(
      `${where} is not a valid rh-agents state: ${problem}. Restore it from a backup, or delete it (the state is lost).`,
      { location: where },
    );
  }
  return value as StateSnapshot;
}

/**
 * The checks every backend's `save(snapshot)` makes before it touches a file or a row: an object,
 * a plain state id, a format this version can write, a valid snapshot. Returns the state id;
 * throws a `TypeError` (or `StateVersionError`) whose message starts with `owner` (`SqliteStateBackend.save`).
 */
export function checkSnapshotToSave(snapshot: unknown, owner: string): string {
  if (typeof snapshot !== 'object' || snapshot === null) {
    throw new TypeError(`${owner}: expected a state snapshot object, got ${describe(snapshot)}.`);
  }
  const stateId = (snapshot as { stateId?: unknown }).stateId;
  checkStateId(stateId, owner);
  checkVersion(snapshot, `${owner}: the snapshot of state '${stateId as string}'`);
  const problem = snapshotProblem(snapshot);
  if (problem !== undefined) {
    throw new TypeError(
      `${owner}: the snapshot of state '${stateId as string}' is not valid: ${problem}.`,
    );
  }
  return stateId as string;
}

/** Throws `StateVersionError` when `value` is a snapshot (or header) of a newer major format. */
export function checkVersion(value: unknown, where: string): void {
  const version = (value as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > STATE_FORMAT_VERSION) {
    throw new StateVersionError(where, version, STATE_FORMAT_VERSION);
  }
}

/** What is wrong with `value` as a snapshot, or `undefined` when it is one. */
export function snapshotProblem(value: unknown): string | undefined {
  if (!isObject(value)) return `expected an object, got ${kindOf(value)}`;
  if (value.format !== STATE_FORMAT) {
    return `\`format\` is ${JSON.stringify(value.format) ?? 'missing'}, expected '${STATE_FORMAT}'`;
  }
  if (!Number.isInteger(value.version) || (value.version as number) < 1) {
    return `\`version\` must be a whole number from 1 up, got ${kindOf(value.version)}`;
  }
  if (typeof value.stateId !== 'string' || value.stateId === '') {
    return `\`stateId\` must be a non-empty string, got ${kindOf(value.stateId)}`;
  }
  return (
    fieldProblem(value, 'createdAt', 'number') ??
    fieldProblem(value, 'updatedAt', 'number') ??
    statusProblem(value.status, 'status') ??
    metadataProblem(value.metadata) ??
    (Array.isArray(value.history)
      ? recordsProblem(value.history, 'history')
      : `\`history\` must be an array, got ${kindOf(value.history)}`) ??
    (isObject(value.storage)
      ? undefined
      : `\`storage\` must be an object, got ${kindOf(value.storage)}`)
  );
}

/** What is wrong with `value` as a checkpoint entry, or `undefined` when it is one. */
export function entryProblem(value: unknown): string | undefined {
  if (!isObject(value)) return `expected an object, got ${kindOf(value)}`;
  if (!Array.isArray(value.records)) {
    return `\`records\` must be an array, got ${kindOf(value.records)}`;
  }
  return (
    recordsProblem(value.records, 'records') ??
    fieldProblem(value, 'updatedAt', 'number') ??
    (value.status === undefined ? undefined : statusProblem(value.status, 'status')) ??
    (value.storage === undefined || isObject(value.storage)
      ? undefined
      : `\`storage\` must be an object when present, got ${kindOf(value.storage)}`)
  );
}

const EVENT_TYPES = ['agent_call', 'tool_call', 'llm_call'];

function recordsProblem(records: readonly unknown[], path: string): string | undefined {
  for (let i = 0; i < records.length; i++) {
    if (isRecord(records[i])) continue;
    return `${path}[${i}]: ${recordProblem(records[i]) as string}`;
  }
  return undefined;
}

/** The fast check of a record, on every append and load; `recordProblem` says what is wrong. */
function isRecord(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<Record<keyof StoredRecord, unknown>>;
  const actor = r.actor as { name?: unknown; eventType?: unknown } | null;
  const error = r.error as { name?: unknown; message?: unknown } | null | undefined;
  return (
    typeof actor === 'object' &&
    actor !== null &&
    typeof actor.name === 'string' &&
    (actor.eventType === 'tool_call' ||
      actor.eventType === 'agent_call' ||
      actor.eventType === 'llm_call') &&
    typeof r.address === 'string' &&
    typeof r.status === 'string' &&
    typeof r.isParallel === 'boolean' &&
    Number.isFinite(r.retryAttempt) &&
    Number.isFinite(r.timestamp) &&
    (r.executionTimeMs === undefined || Number.isFinite(r.executionTimeMs)) &&
    (r.message === undefined || typeof r.message === 'string') &&
    (r.detail === undefined || typeof r.detail === 'string') &&
    (r.tag === undefined || typeof r.tag === 'string') &&
    (r.groupId === undefined || typeof r.groupId === 'string') &&
    (r.parallelIndex === undefined || Number.isFinite(r.parallelIndex)) &&
    (error === undefined ||
      (typeof error === 'object' &&
        error !== null &&
        typeof error.name === 'string' &&
        typeof error.message === 'string'))
  );
}

function recordProblem(record: unknown): string | undefined {
  if (!isObject(record)) return `expected a record object, got ${kindOf(record)}`;
  const actor = record.actor;
  if (!isObject(actor) || typeof actor.name !== 'string') {
    return '`actor` must be an object with a string `name`';
  }
  if (!EVENT_TYPES.includes(actor.eventType as string)) {
    return `\`actor.eventType\` must be one of ${EVENT_TYPES.join(', ')}, got ${kindOf(actor.eventType)}`;
  }
  return (
    fieldProblem(record, 'address', 'string') ??
    fieldProblem(record, 'status', 'string') ??
    fieldProblem(record, 'isParallel', 'boolean') ??
    fieldProblem(record, 'retryAttempt', 'number') ??
    fieldProblem(record, 'timestamp', 'number') ??
    fieldProblem(record, 'executionTimeMs', 'number', true) ??
    fieldProblem(record, 'message', 'string', true) ??
    fieldProblem(record, 'detail', 'string', true) ??
    fieldProblem(record, 'tag', 'string', true) ??
    fieldProblem(record, 'groupId', 'string', true) ??
    fieldProblem(record, 'parallelIndex', 'number', true) ??
    (record.error === undefined ||
    (isObject(record.error) &&
      typeof record.error.name === 'string' &&
      typeof record.error.message === 'string')
      ? undefined
      : '`error` must be an object with string `name` and `message` when present')
  );
}

function metadataProblem(metadata: unknown): string | undefined {
  if (!isObject(metadata)) return `\`metadata\` must be an object, got ${kindOf(metadata)}`;
  if (!Array.isArray(metadata.tags) || !metadata.tags.every((tag) => typeof tag === 'string')) {
    return `\`metadata.tags\` must be an array of strings, got ${kindOf(metadata.tags)}`;
  }
  return (
    fieldProblem(metadata, 'pipeline', 'string', true, 'metadata.') ??
    fieldProblem(metadata, 'description', 'string', true, 'metadata.') ??
    fieldProblem(metadata, 'parentStateId', 'string', true, 'metadata.') ??
    (metadata.custom === undefined || isObject(metadata.custom)
      ? undefined
      : `\`metadata.custom\` must be an object when present, got ${kindOf(metadata.custom)}`)
  );
}

function statusProblem(status: unknown, path: string): string | undefined {
  return STATE_STATUSES.includes(status as StateStatus)
    ? undefined
    : `\`${path}\` must be one of ${STATE_STATUSES.join(', ')}, got ${kindOf(status)}`;
}

function fieldProblem(
  object: Record<string, unknown>,
  field: string,
  type: 'string' | 'number' | 'boolean',
  optional = false,
  prefix = '',
): string | undefined {
  const value = object[field];
  if (optional && value === undefined) return undefined;
  if (typeof value === type && (type !== 'number' || Number.isFinite(value))) return undefined;
  return `\`${prefix}${field}\` must be a ${type === 'number' ? 'finite number' : type}${optional ? ' when present' : ''}, got ${kindOf(value)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short, quoted description of a value for messages. */
function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `\`${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}\` (${typeof value})`;
}
