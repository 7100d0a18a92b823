/**
 * An in-memory backend written against the `StateBackend` interface exactly as INTERFACES.md
 * fixes it (copied here until the real backends land): passing it as `stateBackend` proves the
 * live view's structural type accepts every real backend.
 */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type StateStatus = 'running' | 'completed' | 'failed' | 'interrupted';
export interface StateMetadata {
  pipeline?: string;
  description?: string;
  tags: string[];
  parentStateId?: string;
  custom?: { [key: string]: JsonValue };
}
export interface StoredRecord {
  actor: { name: string; eventType: 'agent_call' | 'tool_call' | 'llm_call' };
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
  result?: JsonValue;
  error?: { name: string; message: string };
}
export interface StateSnapshot {
  format: 'rh-agents/state';
  version: number;
  stateId: string;
  createdAt: number;
  updatedAt: number;
  status: StateStatus;
  metadata: StateMetadata;
  history: StoredRecord[];
  storage: { [key: string]: JsonValue };
}
export interface CheckpointEntry {
  records: StoredRecord[];
  status?: StateStatus;
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
export interface StateBackend {
  has(stateId: string): Promise<boolean>;
  load(stateId: string): Promise<StateSnapshot>;
  save(snapshot: StateSnapshot): Promise<void>;
  append(stateId: string, entry: CheckpointEntry): void | Promise<void>;
  list(filter?: { tag?: string; pipeline?: string }): Promise<StateSummary[]>;
  delete(stateId: string): Promise<boolean>;
  close(): Promise<void>;
}

export class StateNotFoundError extends Error {
  override name = 'StateNotFoundError';
}

export class MemoryBackend implements StateBackend {
  readonly states = new Map<string, StateSnapshot>();
  listCalls: ({ tag?: string; pipeline?: string } | undefined)[] = [];

  async has(stateId: string): Promise<boolean> {
    return this.states.has(stateId);
  }
  async load(stateId: string): Promise<StateSnapshot> {
    const state = this.states.get(stateId);
    if (!state) throw new StateNotFoundError(`No stored state with id ${stateId}.`);
    return state;
  }
  async save(snapshot: StateSnapshot): Promise<void> {
    this.states.set(snapshot.stateId, snapshot);
  }
  append(stateId: string, entry: CheckpointEntry): void {
    const state = this.states.get(stateId);
    if (!state) throw new StateNotFoundError(stateId);
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
