/**
 * The one interface every state backend implements (the filesystem and SQLite ones here, a
 * third party's too), and the state-id check each runs before it touches any file or row.
 */
import type { CheckpointEntry, StateSnapshot, StateSummary } from './snapshot.js';
import { checkNonEmptyString, checkOptions, describe } from '../util/validate.js';

/**
 * Where states are stored. Implement it to store them elsewhere, and run the conformance suite
 * (`describeStateBackend`, see docs/recovery.md) against your implementation.
 */
export interface StateBackend {
  /** Whether a state with this id is stored. */
  has(stateId: string): Promise<boolean>;
  /** The stored state: its last saved snapshot with every later appended entry applied. Throws `StateNotFoundError`. */
  load(stateId: string): Promise<StateSnapshot>;
  /** Writes a whole snapshot (creating or replacing the state); later appends build on it. */
  save(snapshot: StateSnapshot): Promise<void>;
  /** Appends one entry to a saved state, durably (it survives kill -9) when it returns or resolves. */
  append(stateId: string, entry: CheckpointEntry): void | Promise<void>;
  /**
   * Optional: appends several entries to one state, in order, all durably or none, when it returns
   * or resolves. Checkpoints use it, when present, to store the runs that end at about the same
   * time in one write (a group commit); without it they call `append` once per entry.
   */
  appendMany?(stateId: string, entries: readonly CheckpointEntry[]): void | Promise<void>;
  /** Stored states, newest `updatedAt` first, optionally only those with a tag or pipeline. */
  list(filter?: { tag?: string; pipeline?: string }): Promise<StateSummary[]>;
  /** Deletes a state; resolves to whether it existed. */
  delete(stateId: string): Promise<boolean>;
  /** Releases files, handles, connections. */
  close(): Promise<void>;
}

/** What a state id must match: a plain identifier, safe as a file name, key or row id. */
export const STATE_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Throws a `TypeError` unless `id` is a plain identifier (`/^[A-Za-z0-9_-]{1,128}$/`). Every
 * backend calls it before it touches any file or row, so an id like `../x` never reaches a path.
 * `owner` names the caller in the message (`FileSystemStateBackend.load`).
 */
export function checkStateId(id: unknown, owner: string): asserts id is string {
  if (typeof id !== 'string' || !STATE_ID_PATTERN.test(id)) {
    throw new TypeError(
      `${owner}: invalid state id ${describe(id)}; a state id is 1 to 128 letters, digits, '_' or '-' (no '/', '.' or spaces), e.g. 'report-2024_07'.`,
    );
  }
}

/** Checks the filter of `list()`: `{ tag?, pipeline? }`, each a non-empty string when given. */
export function checkFilter(filter: unknown, owner: string): void {
  checkOptions(`${owner}.list`, filter, ['tag', 'pipeline']);
  const { tag, pipeline } = filter as { tag?: unknown; pipeline?: unknown };
  if (tag !== undefined) {
    checkNonEmptyString(`${owner}.list`, 'tag', tag, 'pass a tag to match, or leave it out');
  }
  if (pipeline !== undefined) {
    checkNonEmptyString(
      `${owner}.list`,
      'pipeline',
      pipeline,
      'pass a pipeline name to match, or leave it out',
    );
  }
}
