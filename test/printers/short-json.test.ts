import { describe, expect, it } from 'vitest';
import { visibleLength } from '../../src/printers/format.js';
import { safeText, shortJson } from '../../src/printers/short-json.js';

describe('shortJson', () => {
  it('shows JSON for what JSON takes', () => {
    expect(shortJson({ a: [1, 'two', true, null], b: { c: -0.5 } }, 80)).toBe(
      '{"a":[1,"two",true,null],"b":{"c":-0.5}}',
    );
    expect(shortJson([], 10)).toBe('[]');
    expect(shortJson('as it is', 10)).toBe('as it is');
  });

  it('names what a getter or toJSON throws, whatever it is', () => {
    const throwsString = {
      get a(): never {
        throw 'plain string';
      },
    };
    expect(shortJson(throwsString, 80)).toBe('{"a":[threw: plain string]}');
    const throwsSymbol = {
      get a(): never {
        throw Symbol('s');
      },
    };
    expect(shortJson(throwsSymbol, 80)).toBe('{"a":[threw: Symbol(s)]}');
    const hostileError = new Error('x');
    Object.defineProperty(hostileError, 'message', {
      get() {
        throw new Error('again');
      },
    });
    const throwsHostile = {
      get a(): never {
        throw hostileError;
      },
    };
    expect(shortJson(throwsHostile, 80)).toBe('{"a":[threw: ?]}');
    const toJSONGetter = Object.defineProperty({}, 'toJSON', {
      get() {
        throw new Error('no toJSON');
      },
    });
    expect(shortJson(toJSONGetter, 80)).toBe('[threw: no toJSON]');
  });

  it('names errors, functions and arrays with holes or throwing items', () => {
    const error = new TypeError('bad type');
    expect(shortJson({ error }, 80)).toBe('{"error":[TypeError: bad type]}');
    const nameless = new Error('m');
    Object.defineProperty(nameless, 'name', {
      get() {
        throw new Error('no name');
      },
    });
    expect(shortJson(nameless, 80)).toBe('[Error: m]');
    expect(shortJson([() => 1], 80)).toBe('[[Function]]');
    const items: unknown[] = [1, undefined, 3];
    delete items[1];
    Object.defineProperty(items, 0, {
      get() {
        throw new Error('item');
      },
    });
    expect(shortJson(items, 80)).toBe('[[threw: item],undefined,3]');
  });

  it('shows a proxy whose traps throw as unreadable, keeping what came before', () => {
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    expect(shortJson({ ok: 1, p: proxy }, 80)).toBe('{"ok":1,"p":[unreadable]}');
  });

  it('cuts long values with an ellipsis, reading no further', () => {
    expect(shortJson({ long: 'x'.repeat(100) }, 20)).toBe('{"long":"xxxxxxxxxx…');
    expect(
      shortJson(
        Array.from({ length: 1000 }, (_, i) => i),
        12,
      ),
    ).toBe('[0,1,2,3,4,…');
    const wide = shortJson(
      Array.from({ length: 1000 }, () => '文'),
      12,
    );
    expect(wide).toBe('["文","文",…');
    expect(visibleLength(wide)).toBeLessThanOrEqual(12);
  });

  it('safeText keeps strings and shows anything else', () => {
    expect(safeText('plain')).toBe('plain');
    expect(safeText(42)).toBe('42');
    expect(safeText(undefined)).toBe('undefined');
  });
});
