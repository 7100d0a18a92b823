/**
 * What the live view needs of a state backend: `list()` and `load()`. Declared structurally, so
 * every `StateBackend` (file, SQLite, PostgreSQL, your own) fits without this module importing it.
 */

/** One stored state in a listing (a `StateSummary`). */
export interface LiveStateSummary {
  stateId: string;
  pipeline?: string;
  tags: readonly string[];
  status: string;
  createdAt: number;
  updatedAt: number;
}

/** One stored execution record (a `StoredRecord`), as the page reads it. */
export interface LiveStoredRecord {
  actor: { name: string; eventType: string };
  address: string;
  status: string;
  executionTimeMs?: number;
  message?: string;
  detail?: string;
  tag?: string;
  groupId?: string;
  parallelIndex?: number;
  isParallel: boolean;
  retryAttempt: number;
  timestamp: number;
  result?: unknown;
  error?: { name: string; message: string };
}

/** One stored state (a `StateSnapshot`), as the page reads it. */
export interface LiveStateSnapshot {
  stateId: string;
  status: string;
  createdAt: number;
  updatedAt: number;
  metadata?: unknown;
  history: readonly LiveStoredRecord[];
}

/** The part of a `StateBackend` the live view uses. */
export interface LiveStateSource {
  /** Stored states, newest first, optionally only those with a tag or pipeline. */
  list(filter?: { tag?: string; pipeline?: string }): Promise<readonly LiveStateSummary[]>;
  /** One stored state; rejects (a `StateNotFoundError`) when there is none with this id. */
  load(stateId: string): Promise<LiveStateSnapshot>;
}

/** The state ids every backend accepts; anything else is refused before the backend is asked. */
export const STATE_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
