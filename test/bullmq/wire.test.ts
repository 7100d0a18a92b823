/**
 * Records travel compact (only what the coordinator cannot rebuild from the run it sent) and come
 * back as the records the worker published, stamped with the coordinator's state id.
 */
import { describe, expect, it } from 'vitest';
import { recordFromWire, recordToWire } from '../../src/bullmq/wire.js';
import type { ExecutionRecord, RemoteRun } from '../../src/index.js';

const run: RemoteRun = {
  stateId: 'coord',
  address: 'docs[3]::Work::tool_call',
  actor: { name: 'Work', eventType: 'tool_call' },
  input: { n: 3 },
  context: '',
  tag: 'mine',
  retry: undefined,
  groupId: 'docs',
  parallelIndex: 3,
  attempt: 1,
};

const record = (extra: Partial<ExecutionRecord>): ExecutionRecord => ({
  kind: 'execution',
  actor: { name: 'Work', eventType: 'tool_call' },
  address: run.address,
  status: 'started',
  executionTimeMs: undefined,
  message: undefined,
  detail: undefined,
  tag: 'mine',
  groupId: 'docs',
  parallelIndex: 3,
  isParallel: true,
  retryAttempt: 1,
  timestamp: 1700000000000,
  stateId: 'coord',
  ...extra,
});

const roundTrip = (r: ExecutionRecord): ExecutionRecord =>
  recordFromWire(JSON.parse(JSON.stringify(recordToWire(r, run))), run);

describe('the wire format of records', () => {
  it("leaves out what the run gives, and the run's own detail and result (rebuilt on the coordinator)", () => {
    const started = record({ detail: '{"n":3}' });
    expect(recordToWire(started, run)).toEqual({ s: 'started', x: 1700000000000, n: 1 });
    expect(roundTrip(started)).toEqual({ ...started, detail: undefined });
    const completed = record({
      status: 'completed',
      executionTimeMs: 1.5,
      detail: '{"doubled":6}',
      result: { doubled: 6 },
    });
    expect(recordToWire(completed, run)).toEqual({
      s: 'completed',
      x: 1700000000000,
      n: 1,
      ms: 1.5,
    });
  });

  it("keeps a nested run's address, actor, tags, detail and result, and an error's name and message", () => {
    const nested = record({
      actor: { name: 'Inner', eventType: 'llm_call' },
      address: 'docs[3]::Work::Inner::llm_call',
      status: 'completed',
      executionTimeMs: 2,
      detail: '"ok"',
      tag: undefined,
      groupId: 'inner',
      parallelIndex: 0,
      retryAttempt: 2,
      result: 'ok',
    });
    expect(roundTrip(nested)).toEqual(nested);
    const failed = record({
      status: 'failed',
      executionTimeMs: 3,
      message: 'boom',
      error: Object.assign(new Error('boom'), { name: 'TypeError' }),
    });
    const back = roundTrip(failed);
    expect(back.error).toBeInstanceOf(Error);
    expect(back.error).toMatchObject({ name: 'TypeError', message: 'boom' });
    expect({ ...back, error: undefined }).toEqual({ ...failed, error: undefined });
  });

  it('leaves out a nested result that JSON cannot hold (the outcome says why)', () => {
    const nested = record({
      address: 'docs[3]::Work::Inner::tool_call',
      status: 'completed',
      result: { big: 1n },
    });
    expect('r' in recordToWire(nested, run)).toBe(false);
  });
});
