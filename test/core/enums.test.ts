import { describe, expect, it } from 'vitest';
import {
  BackoffStrategy,
  CircuitState,
  ErrorStrategy,
  EventType,
  ExecutionStatus,
  GroupStatus,
  ParallelDisplayMode,
  ReplayMode,
} from '../../src/index.js';

const expected = {
  EventType: { AGENT_CALL: 'agent_call', TOOL_CALL: 'tool_call', LLM_CALL: 'llm_call' },
  ExecutionStatus: {
    STARTED: 'started',
    COMPLETED: 'completed',
    FAILED: 'failed',
    AWAITING: 'awaiting',
    HUMAN_INTERVENTION: 'human_intervention',
    RECOVERED: 'recovered',
    INTERRUPTED: 'interrupted',
    CANCELLED: 'cancelled',
    RETRYING: 'retrying',
  },
  GroupStatus: {
    PENDING: 'pending',
    RUNNING: 'running',
    COMPLETED: 'completed',
    FAILED: 'failed',
    CANCELLED: 'cancelled',
  },
  ErrorStrategy: { FAIL_SLOW: 'fail_slow', FAIL_FAST: 'fail_fast' },
  ParallelDisplayMode: { REALTIME: 'realtime', PROGRESS: 'progress', COLLAPSED: 'collapsed' },
  ReplayMode: { NORMAL: 'normal', VALIDATION: 'validation', REPUBLISH_ALL: 'republish_all' },
  BackoffStrategy: {
    CONSTANT: 'constant',
    LINEAR: 'linear',
    EXPONENTIAL: 'exponential',
    FIBONACCI: 'fibonacci',
  },
  CircuitState: { CLOSED: 'closed', OPEN: 'open', HALF_OPEN: 'half_open' },
};

const actual: Record<keyof typeof expected, object> = {
  EventType,
  ExecutionStatus,
  GroupStatus,
  ErrorStrategy,
  ParallelDisplayMode,
  ReplayMode,
  BackoffStrategy,
  CircuitState,
};

describe('enums', () => {
  for (const [name, members] of Object.entries(expected)) {
    const value = actual[name as keyof typeof expected];

    it(`${name} has exactly the members and values of API.md`, () => {
      expect(value).toStrictEqual(members);
    });

    it(`${name} is frozen`, () => {
      expect(Object.isFrozen(value)).toBe(true);
      expect(() => {
        (value as Record<string, string>).EXTRA = 'x';
      }).toThrow(TypeError);
      expect(() => {
        (value as Record<string, string>)[Object.keys(members)[0]!] = 'changed';
      }).toThrow(TypeError);
      expect(value).toStrictEqual(members);
    });
  }

  it('accepts both the member and the literal where the union type is expected', () => {
    const a: ErrorStrategy = ErrorStrategy.FAIL_FAST;
    const b: ErrorStrategy = 'fail_fast';
    const c: EventType = 'tool_call';
    const d: BackoffStrategy = 'fibonacci';
    expect(a).toBe(b);
    expect(c).toBe(EventType.TOOL_CALL);
    expect(d).toBe(BackoffStrategy.FIBONACCI);
  });
});
