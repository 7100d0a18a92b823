/**
 * What the live view needs of a state backend: `list()` and `load()`. Every `StateBackend`
 * (file system, SQLite, PostgreSQL, your own) fits.
 */
import type { StateBackend, StateSnapshot, StateSummary, StoredRecord } from '../index.js';

export { STATE_ID_PATTERN } from '../index.js';

/** One stored state in a listing. */
export type LiveStateSummary = StateSummary;

/** One stored execution record, as the page reads it. */
export type LiveStoredRecord = StoredRecord;

/** One stored state, as the page reads it. */
export type LiveStateSnapshot = StateSnapshot;

/** The part of a `StateBackend` the live view uses. */
export type LiveStateSource = Pick<StateBackend, 'list' | 'load'>;
