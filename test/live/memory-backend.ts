/**
 * An in-memory `StateBackend` for the live view's tests: passing it as `stateBackend` proves the
 * view accepts any implementation of the interface, not only the shipped backends.
 */
import {
  type CheckpointEntry,
  type StateBackend,
  type StateSnapshot,
  type StateSummary,
  type StoredRecord,
  StateNotFoundError,
} from '../../src/index.js';

export type { StateBackend };

export class MemoryBackend implements StateBackend {
  readonly states = new Map<string, StateSnapshot>();
  listCalls: ({ tag?: string; pipeline?: string } | undefined)[] = [];

  async has(stateId: string): Promise<boolean> {
    return this.states.has(stateId);
  }
  async load(stateId: string): Promise<StateSnapshot> {
    const state = this.states.get(stateId);
    if (!state) throw new StateNotFoundError(stateId, 'memory');
    return state;
  }
  async save(snapshot: StateSnapshot): Promise<void> {
    this.states.set(snapshot.stateId, snapshot);
  }
  append(stateId: string, entry: CheckpointEntry): void {
    const state = this.states.get(stateId);
    if (!state) throw new StateNotFoundError(stateId, 'memory');
    state.history.push(...entry.records);
    state.updatedAt = entry.updatedAt;
    if (entry.status) state.status = entry.status;
  }
  async list(filter?: { tag?: string; pipeline?: string }): Promise<StateSummary[]> {
    this.listCalls.push(filter);
    return [...this.states.values()]
      .filter((s) => !filter?.tag || s.metadata.tags.includes(filter.tag))
      .filter((s) => !filter?.pipeline || s.metadata.pipeline === filter.pipeline)
      .sort((a, b) => b.updatedAt - a.updatedAt)
      .map((s) => ({
        stateId: s.stateId,
        pipeline: s.metadata.pipeline,
        tags: s.metadata.tags,
        status: s.status,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
      }));
  }
  async delete(stateId: string): Promise<boolean> {
    return this.states.delete(stateId);
  }
  async close(): Promise<void> {}
}

/** A stored run: started then completed (or failed), as a checkpoint would hold it. */
export function storedRun(
  address: string,
  name: string,
  outcome: 'completed' | 'failed',
  extra: Partial<StoredRecord> = {},
  at = 1_700_000_000_000,
): StoredRecord[] {
  const eventType = address.slice(
    address.lastIndexOf('::') + 2,
  ) as StoredRecord['actor']['eventType'];
  const base = {
    actor: { name, eventType },
    address,
    isParallel: false,
    retryAttempt: 1,
    ...extra,
  };
  return [
    { ...base, status: 'started', timestamp: at, detail: '{"input":true}' },
    outcome === 'completed'
      ? {
          ...base,
          status: 'completed',
          timestamp: at + 40,
          executionTimeMs: 40,
          result: { ok: name },
        }
      : {
          ...base,
          status: 'failed',
          timestamp: at + 40,
          executionTimeMs: 40,
          message: `${name} broke`,
          error: { name: 'Error', message: `${name} broke` },
        },
  ];
}

export function snapshot(
  stateId: string,
  history: StoredRecord[],
  extra: Partial<StateSnapshot> = {},
): StateSnapshot {
  return {
    format: 'rh-agents/state',
    version: 1,
    stateId,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_100_000,
    status: 'completed',
    metadata: { tags: [] },
    history,
    storage: {},
    ...extra,
  };
}
