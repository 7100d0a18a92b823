import { describe, expect, it } from 'vitest';
import { type ExecutionRecord, ExecutionHistory, StateStorage } from '../../src/index.js';
import { executionRecord } from '../helpers/bus-events.js';

const rec = (address: string, status: ExecutionRecord['status']): ExecutionRecord =>
  executionRecord({ address, status });

describe('ExecutionHistory', () => {
  it('starts empty', () => {
    const history = new ExecutionHistory();
    expect(history.events).toEqual([]);
    expect(history.size).toBe(0);
    expect(history.addresses()).toEqual([]);
    expect(history.get('A::tool_call')).toBeUndefined();
    expect(history.hasCompleted('A::tool_call')).toBe(false);
  });

  it('keeps every record in order and the latest per address', () => {
    const history = new ExecutionHistory();
    const records = [
      rec('A::tool_call', 'started'),
      rec('B::tool_call', 'started'),
      rec('A::tool_call', 'retrying'),
      rec('B::tool_call', 'failed'),
      rec('A::tool_call', 'completed'),
    ];
    for (const r of records) history.record(r);
    expect(history.events).toEqual(records);
    expect(history.size).toBe(5);
    expect(history.get('A::tool_call')).toBe(records[4]);
    expect(history.get('B::tool_call')).toBe(records[3]);
    expect(history.addresses()).toEqual(['A::tool_call', 'B::tool_call']);
  });

  it('hasCompleted: the latest record is completed or recovered', () => {
    const history = new ExecutionHistory();
    history.record(rec('A::tool_call', 'completed'));
    history.record(rec('R::tool_call', 'recovered'));
    history.record(rec('S::tool_call', 'started'));
    history.record(rec('F::tool_call', 'completed'));
    history.record(rec('F::tool_call', 'failed'));
    expect(history.hasCompleted('A::tool_call')).toBe(true);
    expect(history.hasCompleted('R::tool_call')).toBe(true);
    expect(history.hasCompleted('S::tool_call')).toBe(false);
    expect(history.hasCompleted('F::tool_call')).toBe(false);
  });
});

describe('StateStorage', () => {
  it('sets, gets, checks, deletes, lists and clears values', () => {
    const storage = new StateStorage();
    expect(storage.set('a', 1).set('b', { x: [1] })).toBe(storage);
    expect(storage.get<number>('a')).toBe(1);
    expect(storage.get('b')).toEqual({ x: [1] });
    expect(storage.get('missing')).toBeUndefined();
    expect(storage.has('a')).toBe(true);
    expect(storage.has('missing')).toBe(false);
    expect(storage.keys()).toEqual(['a', 'b']);
    expect(storage.size).toBe(2);
    expect(storage.toJSON()).toEqual({ a: 1, b: { x: [1] } });
    expect(JSON.stringify(storage)).toBe('{"a":1,"b":{"x":[1]}}');
    expect(storage.delete('a')).toBe(true);
    expect(storage.delete('a')).toBe(false);
    expect(storage.keys()).toEqual(['b']);
    storage.clear();
    expect(storage.size).toBe(0);
    expect(storage.toJSON()).toEqual({});
  });
});
