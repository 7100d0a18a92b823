/**
 * toJsonValue: a value goes into a checkpoint only if it comes back the same; whatever JSON
 * would silently change or cannot hold is refused with the address and the path inside it.
 */
import { describe, expect, it } from 'vitest';
import { RhAgentsError, UnstorableValueError, toJsonValue } from '../../src/index.js';

const where = 'Pipeline::Fetch::tool_call';

function refusal(value: unknown, root?: string): UnstorableValueError {
  try {
    toJsonValue(value, where, root === undefined ? {} : { root });
  } catch (error) {
    expect(error).toBeInstanceOf(UnstorableValueError);
    expect(error).toBeInstanceOf(RhAgentsError);
    return error as UnstorableValueError;
  }
  throw new Error('expected a refusal');
}

describe('toJsonValue', () => {
  it('returns plain JSON as it is, without copying it', () => {
    const value = { a: [1, 'two', true, null, { b: -0.5 }], c: '' };
    expect(toJsonValue(value, where)).toBe(value);
    expect(toJsonValue('text', where)).toBe('text');
    expect(toJsonValue(null, where)).toBe(null);
    expect(toJsonValue(undefined, where)).toBe(undefined);
    const bare = Object.assign(Object.create(null) as object, { x: 1 });
    expect(toJsonValue(bare, where)).toBe(bare);
  });

  it('leaves out undefined properties and applies toJSON(), as JSON does, copying only what changes', () => {
    const when = new Date('2024-07-01T12:00:00Z');
    const shared = { id: 1 };
    const value = { a: 1, gone: undefined, when, list: [shared, shared], same: { deep: [1] } };
    const stored = toJsonValue(value, where) as Record<string, unknown>;
    expect(stored).toEqual({
      a: 1,
      when: '2024-07-01T12:00:00.000Z',
      list: [{ id: 1 }, { id: 1 }],
      same: { deep: [1] },
    });
    expect('gone' in stored).toBe(false);
    expect(stored.same).toBe(value.same);
    expect(value.when).toBe(when);
    expect(toJsonValue([1, when], where)).toEqual([1, '2024-07-01T12:00:00.000Z']);
    expect(toJsonValue({ first: undefined, b: 2 }, where)).toEqual({ b: 2 });
    expect(toJsonValue({ a: 1, b: when, c: undefined, d: 4 }, where)).toEqual({
      a: 1,
      b: when.toJSON(),
      d: 4,
    });
    const custom = { toJSON: (key: string) => ({ key, nested: new Date(0) }) };
    expect(toJsonValue({ item: custom }, where)).toEqual({
      item: { key: 'item', nested: '1970-01-01T00:00:00.000Z' },
    });
    expect(toJsonValue(Buffer.from('hi'), where)).toEqual({ type: 'Buffer', data: [104, 105] });
  });

  it('refuses each kind of value JSON cannot hold, naming the address, the path and what to do', () => {
    const cases: [unknown, string][] = [
      [
        { items: [{}, {}, { when: 12n }] },
        'Pipeline::Fetch::tool_call: cannot store `result.items[2].when`: it is a BigInt (12n), which JSON cannot hold; convert it to a string or a number.',
      ],
      [
        { n: NaN },
        'cannot store `result.n`: it is NaN, which JSON writes as null; store null or a string instead.',
      ],
      [[Infinity], 'cannot store `result[0]`: it is Infinity, which JSON writes as null'],
      [
        { f: function load() {} },
        'cannot store `result.f`: it is a function (load), which cannot be stored; leave it out of the value.',
      ],
      [{ f: () => 1 }, 'it is a function (f)'],
      [
        [
          (
            () => () =>
              1
          )(),
        ],
        'it is a function (anonymous)',
      ],
      [
        { s: Symbol('x') },
        'cannot store `result.s`: it is a symbol, which cannot be stored; use a string instead.',
      ],
      [
        [1, undefined],
        'cannot store `result[1]`: it is undefined inside an array, which JSON writes as null; use null instead.',
      ],
      // eslint-disable-next-line no-sparse-arrays
      [[1, , 3], 'cannot store `result[1]`: it is undefined inside an array'],
      [
        { m: new Map([[1, 2]]) },
        'cannot store `result.m`: it is a Map, which JSON writes as {}; convert it, e.g. with Object.fromEntries(map).',
      ],
      [
        { s: new Set([1]) },
        'cannot store `result.s`: it is a Set, which JSON writes as {}; convert it, e.g. with [...set].',
      ],
      [
        { e: new TypeError('x') },
        'cannot store `result.e`: it is an instance of TypeError, not a plain object, and would come back without its class; return plain data, or give the class a toJSON() method.',
      ],
      [{ u: new Uint8Array(2) }, 'it is an instance of Uint8Array'],
      [{ 'a b': { 'c-d': 1n } }, 'cannot store `result["a b"]["c-d"]`'],
      [
        { t: { toJSON: () => undefined } },
        'cannot store `result.t`: it has a toJSON() method that returned undefined.',
      ],
      [
        {
          t: {
            toJSON: () => {
              throw new Error('no');
            },
          },
        },
        'cannot store `result.t`: it has a toJSON() method that threw: Error: no.',
      ],
    ];
    for (const [value, message] of cases) expect(refusal(value).message).toContain(message);
    const error = refusal({ items: [0, { when: 1n }] });
    expect(error).toMatchObject({
      name: 'UnstorableValueError',
      where,
      path: 'result.items[1].when',
    });
    expect(refusal({ x: 1n }, 'storage').path).toBe('storage.x');
    expect(refusal(5n).path).toBe('result');
    class Point {
      constructor(readonly x: number) {}
    }
    expect(refusal([new Point(1)]).message).toContain('an instance of Point');
    const noConstructor = Object.create({ inherited: true }) as object;
    expect(refusal(noConstructor).message).toContain('it is an instance of Object');
    const selfish = {
      toJSON(): unknown {
        return selfish;
      },
    };
    expect(refusal(selfish).message).toContain('has a toJSON() that returns itself');
  });

  it('refuses a cycle, naming where it points back to, but accepts a shared object that is not one', () => {
    const root: Record<string, unknown> = { list: [] };
    const child = { parent: root };
    (root.list as unknown[]).push({ child });
    expect(refusal(root).message).toContain(
      'cannot store `result.list[0].child.parent`: it refers back to `result` (a cycle), which JSON cannot hold',
    );
    const loop: unknown[] = [];
    loop.push({ again: loop });
    expect(refusal(loop).path).toBe('result[0].again');
    const viaToJson = { toJSON: () => ({ inner: viaToJson }) };
    expect(refusal({ x: viaToJson }).message).toContain('refers back to `result.x`');
  });

  it('checks a wide value in linear time', () => {
    const wide = {
      rows: Array.from({ length: 50_000 }, (_, i) => ({ i, name: `row ${i}`, tags: ['a', 'b'] })),
    };
    const started = performance.now();
    expect(toJsonValue(wide, where)).toBe(wide);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
