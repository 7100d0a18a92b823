/** Sample snapshots and entries for the backend tests (no test framework here: child processes use them too). */
import type { CheckpointEntry, StateSnapshot, StoredRecord } from '../../src/index.js';

/** A snapshot with every optional field used. */
export function sampleSnapshot(
  stateId: string,
  overrides: Partial<StateSnapshot> = {},
): StateSnapshot {
  return {
    format: 'rh-agents/state',
    version: 1,
    stateId,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    status: 'running',
    metadata: {
      pipeline: 'reports',
      description: 'A nightly report: ünïcödé and "quotes"\nand a newline',
      tags: ['nightly', 'eu'],
      parentStateId: 'parent-1',
      custom: { owner: 'ops', priority: 2, nested: { ok: true, list: [1, null, 'x'] } },
    },
    history: [record('Pipeline::agent_call', 0, 'started')],
    storage: { cursor: 0, seen: ['a'] },
    ...overrides,
  };
}

/** A record of a run; `completed` ones carry a result. */
export function record(address: string, i: number, status = 'completed'): StoredRecord {
  const r: StoredRecord = {
    actor: { name: 'Fetch', eventType: 'tool_call' },
    address,
    status,
    isParallel: true,
    retryAttempt: 1,
    timestamp: 1_700_000_000_000 + i,
    groupId: 'Pipeline::Pages',
    parallelIndex: i,
    tag: 'crawl',
  };
  if (status === 'completed') {
    r.executionTimeMs = 1.5;
    r.detail = `{"page":${i}}`;
    r.result = { page: i, words: ['a', 'b'], ok: true, score: i / 7 };
  }
  if (status === 'failed') r.error = { name: 'TypeError', message: `page ${i} failed` };
  return r;
}

/** The entry one run appends: its started and completed records. */
export function runEntry(i: number, extra: Partial<CheckpointEntry> = {}): CheckpointEntry {
  const address = `Pipeline::Pages[${i}]::Fetch::tool_call`;
  return {
    records: [record(address, i, 'started'), record(address, i)],
    updatedAt: 1_700_000_001_000 + i,
    ...extra,
  };
}
