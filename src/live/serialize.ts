/**
 * Turns any value an event may carry (a handler's result, a thrown value, log metadata) into JSON
 * that is safe to send: cycles, BigInt, functions, symbols, errors, Maps, typed arrays, getters
 * that throw and huge values all become plain, bounded data. It never throws.
 */

/** Bounds that keep one serialized value small. */
export interface SerializeLimits {
  /** Nesting depth below which objects and arrays are summarised. @default 8 */
  maxDepth: number;
  /** Characters kept of a string. @default 10_000 */
  maxStringLength: number;
  /** Items kept of an array, a Map or a Set. @default 200 */
  maxItems: number;
  /** Keys kept of an object. @default 200 */
  maxKeys: number;
  /** Values visited in all; later ones are summarised. @default 20_000 */
  maxNodes: number;
}

export const defaultSerializeLimits: Readonly<SerializeLimits> = Object.freeze({
  maxDepth: 8,
  maxStringLength: 10_000,
  maxItems: 200,
  maxKeys: 200,
  maxNodes: 20_000,
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Walk {
  limits: SerializeLimits;
  /** The objects on the path from the root to the value being walked: a repeat is a cycle. */
  path: Set<object>;
  nodes: number;
}

function truncateString(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

function describeError(error: Error, walk: Walk): { [key: string]: Json } {
  const name = read(() => error.name, 'Error');
  const message = read(() => error.message, '');
  return {
    name: truncateString(typeof name === 'string' ? name : 'Error', walk.limits.maxStringLength),
    message: truncateString(
      typeof message === 'string' ? message : String(message),
      walk.limits.maxStringLength,
    ),
  };
}

/** `get()`, or `fallback` when it throws (a getter, a Proxy trap). */
function read<T>(get: () => T, fallback: T): T {
  try {
    return get();
  } catch {
    return fallback;
  }
}

function thrownText(error: unknown): string {
  const message = read(() => (error instanceof Error ? error.message : String(error)), '?');
  return `[Thrown while reading: ${message}]`;
}

function walkValue(value: unknown, depth: number, walk: Walk): Json {
  walk.nodes++;
  switch (typeof value) {
    case 'string':
      return truncateString(value, walk.limits.maxStringLength);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return null;
    case 'symbol':
      return read(() => value.toString(), 'Symbol()');
    case 'function':
      return `[Function ${read(() => value.name, '') || 'anonymous'}]`;
  }
  if (value === null) return null;
  return walkObject(value as object, depth, walk);
}

function walkObject(value: object, depth: number, walk: Walk): Json {
  if (walk.path.has(value)) return '[Circular]';
  walk.path.add(value);
  try {
    return convertObject(value, depth, walk);
  } catch (error) {
    // A Proxy whose traps throw, or an exotic object: say so instead of failing.
    return thrownText(error);
  } finally {
    walk.path.delete(value);
  }
}

function convertObject(value: object, depth: number, walk: Walk): Json {
  if (value instanceof Error) return describeError(value, walk);
  if (value instanceof Date) {
    const time = value.getTime();
    return Number.isNaN(time) ? 'Invalid Date' : value.toISOString();
  }
  if (value instanceof RegExp) return String(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return `[${value.constructor.name}(${value.byteLength} bytes)]`;
  }
  if (depth >= walk.limits.maxDepth || walk.nodes >= walk.limits.maxNodes) {
    return Array.isArray(value) ? `[Array(${value.length})]` : '[Object]';
  }
  if (Array.isArray(value)) return walkItems(value, value.length, depth, walk);
  if (value instanceof Set) return walkItems(value, value.size, depth, walk);
  if (value instanceof Map) return walkItems(Array.from(value), value.size, depth, walk);
  const toJSON = read(() => (value as { toJSON?: unknown }).toJSON, undefined);
  if (typeof toJSON === 'function') {
    const converted: unknown = toJSON.call(value);
    if (converted !== value) return walkValue(converted, depth + 1, walk);
  }
  return walkKeys(value, depth, walk);
}

function walkItems(items: Iterable<unknown>, size: number, depth: number, walk: Walk): Json[] {
  const out: Json[] = [];
  for (const item of items) {
    if (out.length >= walk.limits.maxItems || walk.nodes >= walk.limits.maxNodes) break;
    out.push(walkValue(item, depth + 1, walk));
  }
  if (out.length < size) out.push(`… ${size - out.length} more items`);
  return out;
}

function walkKeys(value: object, depth: number, walk: Walk): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  const keys = Object.keys(value);
  let kept = 0;
  for (const key of keys) {
    if (kept >= walk.limits.maxKeys || walk.nodes >= walk.limits.maxNodes) break;
    kept++;
    let item: unknown;
    try {
      item = (value as Record<string, unknown>)[key];
    } catch (error) {
      out[key] = thrownText(error);
      continue;
    }
    // Like JSON: a property holding `undefined` is left out of objects.
    if (item === undefined) continue;
    out[key] = walkValue(item, depth + 1, walk);
  }
  if (kept < keys.length) out['…'] = `${keys.length - kept} more keys`;
  return out;
}

/** `value` as plain JSON data within `limits`; never throws. */
export function toSafeJson(value: unknown, limits: Partial<SerializeLimits> = {}): Json {
  const walk: Walk = {
    limits: { ...defaultSerializeLimits, ...limits },
    path: new Set(),
    nodes: 0,
  };
  return walkValue(value, 0, walk);
}

/** `value` as a JSON string within `limits`; never throws. */
export function safeStringify(value: unknown, limits: Partial<SerializeLimits> = {}): string {
  return JSON.stringify(toSafeJson(value, limits));
}
