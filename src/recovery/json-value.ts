/**
 * Strict JSON: what a checkpoint can hold, and `toJsonValue`, which refuses whatever
 * `JSON.stringify` would silently change or drop instead of letting a restored run return
 * something other than what it returned the first time.
 */
import { UnstorableValueError } from './errors.js';

/** A JSON value: what a checkpoint can hold. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * `value` as a JSON value, checked all the way down, or an `UnstorableValueError` whose message
 * names `where` (the run's address, say) and the path of the offending part inside the value
 * (`result.items[2].when`).
 *
 * - Plain objects (prototype `Object.prototype` or `null`) and arrays are walked; a property whose
 *   value is `undefined` is left out, as JSON does. Symbol keys and non-enumerable properties are
 *   not stored.
 * - A value with a `toJSON()` method is replaced by what it returns, as JSON does: a `Date`
 *   comes back from a checkpoint as its ISO string.
 * - Refused: a BigInt, a function, a symbol, `NaN` and `±Infinity` (JSON would write `null`),
 *   `undefined` inside an array (JSON would write `null`), a cycle, a `Map` or `Set` (JSON would
 *   write `{}`), and any other class instance without `toJSON()` (it would come back as a plain
 *   object without its class, or as `{}`). Convert such values to plain data first.
 * - `undefined` at the top (a handler that returns nothing) gives `undefined`: a record stores it
 *   by leaving `result` out.
 *
 * Returns the value itself when it is already plain JSON (nothing is copied), otherwise a copy
 * with the `toJSON()` results and without the `undefined` properties.
 */
export function toJsonValue(
  value: unknown,
  where: string,
  options: { root?: string } = {},
): JsonValue | undefined {
  if (value === undefined) return undefined;
  return new Walker(where).walk(value, options.root ?? 'result', '');
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

class Walker {
  /** The objects on the path from the root to the value being walked, with their paths. */
  readonly #ancestors = new Map<object, string>();
  constructor(readonly where: string) {}

  walk(value: unknown, path: string, key: string): JsonValue {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        if (Number.isFinite(value)) return value;
        return this.#refuse(
          path,
          `is ${value}, which JSON writes as null; store null or a string instead`,
        );
      case 'bigint':
        return this.#refuse(
          path,
          `is a BigInt (${value}n), which JSON cannot hold; convert it to a string or a number`,
        );
      case 'function':
        return this.#refuse(
          path,
          `is a function (${value.name || 'anonymous'}), which cannot be stored; leave it out of the value`,
        );
      case 'symbol':
        return this.#refuse(path, `is a symbol, which cannot be stored; use a string instead`);
      case 'undefined':
        return this.#refuse(
          path,
          'is undefined inside an array, which JSON writes as null; use null instead',
        );
    }
    if (value === null) return null;
    const object = value as object;
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      let replaced: unknown;
      try {
        replaced = toJSON.call(object, key);
      } catch (error) {
        return this.#refuse(path, `has a toJSON() method that threw: ${String(error)}`, error);
      }
      if (replaced === undefined) {
        return this.#refuse(path, 'has a toJSON() method that returned undefined');
      }
      if (replaced === object) return this.#refuse(path, 'has a toJSON() that returns itself');
      return this.#enter(object, path, () => this.walk(replaced, path, key));
    }
    if (Array.isArray(object)) return this.#enter(object, path, () => this.#array(object, path));
    const proto = Object.getPrototypeOf(object) as object | null;
    if (proto !== Object.prototype && proto !== null) {
      return this.#refuse(path, this.#instanceProblem(object));
    }
    return this.#enter(object, path, () => this.#object(object as Record<string, unknown>, path));
  }

  #array(array: readonly unknown[], path: string): JsonValue[] {
    let copy: JsonValue[] | undefined;
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      const stored = this.walk(item, `${path}[${i}]`, String(i));
      if (copy === undefined && stored !== item) copy = array.slice(0, i) as JsonValue[];
      copy?.push(stored);
    }
    return copy ?? (array as JsonValue[]);
  }

  #object(object: Record<string, unknown>, path: string): { [key: string]: JsonValue } {
    let copy: { [key: string]: JsonValue } | undefined;
    const keys = Object.keys(object);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const item = object[key];
      if (item === undefined) {
        copy ??= this.#prefix(object, keys, i);
        continue;
      }
      const childPath = IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      const stored = this.walk(item, childPath, key);
      if (copy === undefined && stored !== item) copy = this.#prefix(object, keys, i);
      if (copy !== undefined) copy[key] = stored;
    }
    return copy ?? (object as { [key: string]: JsonValue });
  }

  /** A copy of the first `count` properties, kept when a later one must change. */
  #prefix(
    object: Record<string, unknown>,
    keys: readonly string[],
    count: number,
  ): { [key: string]: JsonValue } {
    const copy: { [key: string]: JsonValue } = {};
    for (let i = 0; i < count; i++) {
      const key = keys[i] as string;
      if (object[key] !== undefined) copy[key] = object[key] as JsonValue;
    }
    return copy;
  }

  #enter<T>(object: object, path: string, walk: () => T): T {
    const seen = this.#ancestors.get(object);
    if (seen !== undefined) {
      return this.#refuse(
        path,
        `refers back to \`${seen}\` (a cycle), which JSON cannot hold; store a tree (ids instead of back references)`,
      );
    }
    this.#ancestors.set(object, path);
    try {
      return walk();
    } finally {
      this.#ancestors.delete(object);
    }
  }

  #instanceProblem(object: object): string {
    if (object instanceof Map) {
      return 'is a Map, which JSON writes as {}; convert it, e.g. with Object.fromEntries(map)';
    }
    if (object instanceof Set) {
      return 'is a Set, which JSON writes as {}; convert it, e.g. with [...set]';
    }
    const name = (object.constructor as { name?: unknown } | undefined)?.name;
    const what = typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object';
    return `is ${what}, not a plain object, and would come back without its class; return plain data, or give the class a toJSON() method`;
  }

  #refuse(path: string, problem: string, cause?: unknown): never {
    throw new UnstorableValueError(
      `${this.where}: cannot store \`${path}\`: it ${problem}.`,
      this.where,
      path,
      cause === undefined ? undefined : { cause },
    );
  }
}

/**
 * `JSON.stringify(value)` for a backend, with what it refuses (a BigInt, a cycle) reported as an
 * `UnstorableValueError` naming `where` and `what` was being stored.
 */
export function stringifyForStorage(value: unknown, where: string, what: string): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new UnstorableValueError(
      `${where}: cannot store the ${what}: ${(error as Error).message}. Store only JSON values (see toJsonValue()).`,
      where,
      what,
      { cause: error },
    );
  }
}
