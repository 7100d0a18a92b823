/** Any value an event carries becomes bounded, plain JSON, and serializing never throws. */
import { describe, expect, it } from 'vitest';
import { serializeEvent } from '../../src/live/event-log.js';
import { safeStringify, toSafeJson } from '../../src/live/serialize.js';

describe('toSafeJson', () => {
  it('keeps plain JSON as it is', () => {
    const value = { a: 1, b: 'two', c: [true, null, { d: 1.5 }], e: {} };
    expect(toSafeJson(value)).toEqual(value);
  });

  it('marks cycles, but not a value seen twice without a cycle', () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { shared, again: shared };
    cyclic.self = cyclic;
    const list: unknown[] = [1];
    list.push(list);
    expect(toSafeJson(cyclic)).toEqual({ shared: { n: 1 }, again: { n: 1 }, self: '[Circular]' });
    expect(toSafeJson(list)).toEqual([1, '[Circular]']);
  });

  it('writes BigInt, functions, symbols, NaN, Infinity and undefined as readable values', () => {
    expect(
      toSafeJson({
        big: 12n,
        fn: () => 1,
        anon: [function () {}][0],
        sym: Symbol('tag'),
        nan: NaN,
        inf: -Infinity,
        gone: undefined,
        list: [undefined],
      }),
    ).toEqual({
      big: '12n',
      fn: '[Function fn]',
      anon: '[Function anonymous]',
      sym: 'Symbol(tag)',
      nan: 'NaN',
      inf: '-Infinity',
      list: [null],
    });
  });

  it('turns errors into { name, message }, whatever they hold', () => {
    class QuotaError extends Error {
      override name = 'QuotaError';
      secret = 'not sent';
    }
    expect(toSafeJson(new QuotaError('over quota'))).toEqual({
      name: 'QuotaError',
      message: 'over quota',
    });
    const odd = new Error('x');
    Object.defineProperty(odd, 'message', {
      get() {
        throw new Error('no');
      },
    });
    Object.defineProperty(odd, 'name', { value: 42 });
    expect(toSafeJson(odd)).toEqual({ name: 'Error', message: '' });
    const numeric = new Error('m');
    Object.defineProperty(numeric, 'message', { value: 7 });
    expect(toSafeJson(numeric)).toEqual({ name: 'Error', message: '7' });
  });

  it('converts dates, regular expressions, maps, sets and binary data', () => {
    expect(
      toSafeJson({
        date: new Date(0),
        bad: new Date(NaN),
        re: /a+/g,
        map: new Map<unknown, unknown>([
          ['k', 1],
          [2, { v: true }],
        ]),
        set: new Set(['a', 'b']),
        bytes: new Uint8Array(16),
        buffer: new ArrayBuffer(4),
      }),
    ).toEqual({
      date: '1970-01-01T00:00:00.000Z',
      bad: 'Invalid Date',
      re: '/a+/g',
      map: [
        ['k', 1],
        [2, { v: true }],
      ],
      set: ['a', 'b'],
      bytes: '[Uint8Array(16 bytes)]',
      buffer: '[ArrayBuffer(4 bytes)]',
    });
  });

  it('uses toJSON, and survives one that throws or returns the object itself', () => {
    expect(toSafeJson({ toJSON: () => ({ as: 'json' }) })).toEqual({ as: 'json' });
    expect(
      toSafeJson({
        toJSON() {
          throw new Error('cannot');
        },
      }),
    ).toBe('[Thrown while reading: cannot]');
    const selfish = {
      a: 1,
      toJSON() {
        return selfish;
      },
    };
    expect(toSafeJson(selfish)).toEqual({ a: 1, toJSON: '[Function toJSON]' });
  });

  it('survives getters and proxies that throw', () => {
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys for you');
        },
      },
    );
    expect(toSafeJson({ trap })).toEqual({ trap: '[Thrown while reading: no keys for you]' });
    const getter = {
      get value(): never {
        throw 'a string';
      },
    };
    expect(toSafeJson(getter)).toEqual({ value: '[Thrown while reading: a string]' });
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('prototype');
        },
      },
    );
    expect(toSafeJson({ ok: 1, hostile })).toEqual({
      ok: 1,
      hostile: '[Thrown while reading: prototype]',
    });
  });

  it('truncates huge strings, arrays, objects and deep nesting', () => {
    expect(toSafeJson('x'.repeat(12), { maxStringLength: 5 })).toBe('xxxxx… [7 more characters]');
    expect(toSafeJson([1, 2, 3, 4], { maxItems: 2 })).toEqual([1, 2, '… 2 more items']);
    expect(toSafeJson({ a: 1, b: 2, c: 3 }, { maxKeys: 1 })).toEqual({ a: 1, '…': '2 more keys' });
    expect(toSafeJson({ a: { b: { c: [1] } } }, { maxDepth: 2 })).toEqual({
      a: { b: '[Object]' },
    });
    expect(toSafeJson([[[1]]], { maxDepth: 1 })).toEqual(['[Array(1)]']);
    const wide = Array.from({ length: 50 }, (_, i) => ({ i }));
    const budget = toSafeJson(wide, { maxNodes: 10 }) as unknown[];
    expect(budget.length).toBeLessThan(12);
    expect(budget.at(-1)).toMatch(/more items$/);
  });

  it('keeps a huge value within a bounded size by default', () => {
    const huge = {
      rows: Array.from({ length: 100_000 }, (_, i) => ({ i, text: 'y'.repeat(100) })),
    };
    const text = safeStringify(huge);
    expect(text.length).toBeLessThan(100_000);
    expect(JSON.parse(text).rows.at(-1)).toBe('… 99800 more items');
  });
});

describe('toSafeJson with toJSON chains', () => {
  it('stops a toJSON that keeps returning new objects at the depth limit', () => {
    const endless = (): object => ({ toJSON: endless });
    expect(toSafeJson(endless(), { maxDepth: 3 })).toBe('[Object]');
  });
});

describe('serializeEvent', () => {
  it('bounds the value fields and keeps the plain ones', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const text = serializeEvent({ kind: 'log', message: 'm', metadata: cyclic, gone: undefined });
    expect(JSON.parse(text)).toEqual({
      kind: 'log',
      message: 'm',
      metadata: { self: '[Circular]' },
    });
  });

  it('falls back to the bounded walker for a custom event with odd or huge fields', () => {
    expect(JSON.parse(serializeEvent({ kind: 'custom', count: 3n }))).toEqual({
      kind: 'custom',
      count: '3n',
    });
    const huge = JSON.parse(serializeEvent({ kind: 'custom', text: 'z'.repeat(300_000) }));
    expect(huge.text).toBe(`${'z'.repeat(10_000)}… [290000 more characters]`);
    expect(serializeEvent('just text')).toBe('"just text"');
    expect(serializeEvent(null)).toBe('null');
  });
});
