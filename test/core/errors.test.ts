import { describe, expect, it } from 'vitest';
import { messageOf } from '../../src/util/errors.js';
import {
  CancelledError,
  CircuitOpenError,
  ConditionError,
  InputValidationError,
  InterruptedError,
  OutputValidationError,
  RhAgentsError,
} from '../../src/index.js';

describe('error classes', () => {
  it('each has its name, extends RhAgentsError and Error, and keeps a cause', () => {
    const cause = new Error('root');
    const errors: [RhAgentsError, string][] = [
      [new RhAgentsError('m', { cause }), 'RhAgentsError'],
      [new InputValidationError('m', 'Actor', ['id'], { cause }), 'InputValidationError'],
      [new OutputValidationError('m', { cause }), 'OutputValidationError'],
      [new ConditionError('m', { cause }), 'ConditionError'],
      [new InterruptedError('m', { cause }), 'InterruptedError'],
      [new CancelledError('m', { cause }), 'CancelledError'],
      [new CircuitOpenError('m', { cause }), 'CircuitOpenError'],
    ];
    for (const [error, name] of errors) {
      expect(error).toBeInstanceOf(RhAgentsError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(error.message).toBe('m');
      expect(error.cause).toBe(cause);
    }
  });

  it('carries the extra fields', () => {
    const input = new InputValidationError('m', 'FetchDoc', ['id', 'items.2.url']);
    expect(input.actorName).toBe('FetchDoc');
    expect(input.fields).toEqual(['id', 'items.2.url']);
  });

  it('has default messages that say what happened', () => {
    expect(new InterruptedError().message).toMatch(/interrupted/);
    expect(new CancelledError().message).toMatch(/Cancelled/);
    expect(new CircuitOpenError().message).toMatch(/Circuit breaker open/);
  });
});

describe('messageOf()', () => {
  it('gives the message of any thrown value', () => {
    expect(messageOf(new Error('boom'))).toBe('boom');
    expect(messageOf(new TypeError(''))).toBe('TypeError');
    expect(messageOf('plain')).toBe('plain');
    expect(messageOf({ code: 42 })).toBe('{"code":42}');
    expect(messageOf(undefined)).toBe('undefined');
    expect(messageOf(10n)).toBe('10');
  });

  it('never throws, even for a value that cannot be printed', () => {
    const odd: Record<string, unknown> = Object.create(null);
    odd.self = odd;
    expect(messageOf(odd)).toBe('[object Object]');
  });
});
