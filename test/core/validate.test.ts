import { describe, expect, it } from 'vitest';
import {
  checkBoolean,
  checkEnum,
  checkFunction,
  checkInteger,
  checkKnownKeys,
  checkNumber,
  describe as describeValue,
} from '../../src/util/validate.js';
import { BackoffStrategy } from '../../src/index.js';

describe('describe()', () => {
  it('quotes the value and names its type', () => {
    expect(describeValue('abc')).toBe('`"abc"` (string)');
    expect(describeValue(-1)).toBe('`-1` (number)');
    expect(describeValue(NaN)).toBe('`NaN` (number)');
    expect(describeValue(null)).toBe('`null` (null)');
    expect(describeValue(undefined)).toBe('`undefined` (undefined)');
    expect(describeValue([1, 2])).toBe('`[1,2]` (array)');
    expect(describeValue({ a: 1 })).toBe('`{"a":1}` (object)');
    expect(describeValue(10n)).toBe('`10n` (bigint)');
    expect(describeValue(function named() {})).toBe('`[function named]` (function)');
    expect(describeValue(Symbol('s'))).toBe('`Symbol(s)` (symbol)');
  });

  it('names anonymous functions and survives values JSON cannot print', () => {
    const anonymous = [() => 1][0]!;
    expect(describeValue(anonymous)).toBe('`[function anonymous]` (function)');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeValue(circular)).toBe('`[object Object]` (object)');
  });
});

describe('checkInteger()', () => {
  it('accepts whole numbers from min up', () => {
    expect(checkInteger('o', 'n', 1)).toBe(1);
    expect(checkInteger('o', 'n', 0, { min: 0 })).toBe(0);
    expect(checkInteger('o', 'n', Infinity, { allowInfinity: true })).toBe(Infinity);
  });

  it('refuses with a RangeError naming owner, option, value and type', () => {
    expect(() => checkInteger('Owner', 'count', 0)).toThrow(
      new RangeError('Owner: expected `count` to be a whole number from 1 up, got `0` (number).'),
    );
    expect(() => checkInteger('Owner', 'count', 1.5)).toThrow(RangeError);
    expect(() => checkInteger('Owner', 'count', '2')).toThrow(/`"2"` \(string\)/);
    expect(() => checkInteger('Owner', 'count', Infinity)).toThrow(RangeError);
    expect(() => checkInteger('Owner', 'count', 0, { allowInfinity: true })).toThrow(
      /from 1 up or `Infinity`/,
    );
  });
});

describe('checkNumber()', () => {
  it('accepts finite numbers from min (inclusive by default)', () => {
    expect(checkNumber('o', 'ms', 0)).toBe(0);
    expect(checkNumber('o', 'ms', 2.5, { min: 1 })).toBe(2.5);
  });

  it('refuses out-of-range, non-finite and non-numeric values', () => {
    expect(() => checkNumber('Owner', 'waitMs', -1, { unit: 'milliseconds' })).toThrow(
      new RangeError(
        'Owner: expected `waitMs` to be a finite number 0 or more (milliseconds), got `-1` (number).',
      ),
    );
    expect(() => checkNumber('Owner', 'waitMs', 0, { exclusive: true })).toThrow(
      /greater than 0, got `0` \(number\)/,
    );
    expect(() => checkNumber('Owner', 'waitMs', NaN)).toThrow(RangeError);
    expect(() => checkNumber('Owner', 'waitMs', Infinity)).toThrow(RangeError);
    expect(() => checkNumber('Owner', 'waitMs', '5')).toThrow(/`"5"` \(string\)/);
  });
});

describe('checkEnum(), checkFunction(), checkBoolean(), checkKnownKeys()', () => {
  it('checkEnum lists the allowed values', () => {
    expect(checkEnum('o', 'strategy', 'linear', BackoffStrategy)).toBe('linear');
    expect(() => checkEnum('Owner', 'strategy', 'quadratic', BackoffStrategy)).toThrow(
      new TypeError(
        "Owner: unknown `strategy` `\"quadratic\"` (string); expected one of 'constant', 'linear', 'exponential', 'fibonacci'.",
      ),
    );
  });

  it('checkFunction refuses non-functions', () => {
    expect(() => checkFunction('o', 'fn', () => 1)).not.toThrow();
    expect(() => checkFunction('Owner', 'fn', 42)).toThrow(
      new TypeError('Owner: expected `fn` to be a function, got `42` (number).'),
    );
  });

  it('checkBoolean refuses non-booleans', () => {
    expect(checkBoolean('o', 'flag', false)).toBe(false);
    expect(() => checkBoolean('Owner', 'flag', 'yes')).toThrow(
      new TypeError('Owner: expected `flag` to be true or false, got `"yes"` (string).'),
    );
  });

  it('checkKnownKeys refuses a typo and lists the known options', () => {
    expect(() => checkKnownKeys('o', { a: 1 }, ['a', 'b'])).not.toThrow();
    expect(() => checkKnownKeys('Owner', { a: 1, c: 2 }, ['a', 'b'])).toThrow(
      new TypeError('Owner: unknown option `c`; known options are `a`, `b`.'),
    );
  });
});
