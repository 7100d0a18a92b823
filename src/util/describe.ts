/**
 * Describing values that came from users: thrown values, rejection reasons, option values. Any of
 * them may be hostile (an Error whose `message` getter throws, a revoked Proxy, a null-prototype
 * object, a Symbol), and describing one must never throw, or a run would reject and a group hang.
 */

const UNPRINTABLE = '[unprintable value]';

/** `String(value)` that never throws: symbols, null-prototype objects and revoked proxies included. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'symbol') return value.toString();
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return UNPRINTABLE;
    }
  }
}

/** `value instanceof type`, but `false` instead of throwing (a revoked Proxy throws on it). */
export function isInstance<T>(
  value: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type: abstract new (...args: any[]) => T,
): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}

/** Reads `object[key]`, or `undefined` when the read throws (a throwing getter, a revoked Proxy). */
export function safeGet(object: unknown, key: PropertyKey): unknown {
  try {
    return (object as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** JSON of `value`, or `undefined` when it has none or cannot be made (a cycle, a BigInt, a trap). */
export function jsonOf(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** The message of any thrown value, for `errorMessage` fields. Never throws. */
export function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (isInstance(error, Error)) {
    const message = safeGet(error, 'message');
    if (typeof message === 'string' && message !== '') return message;
    const name = safeGet(error, 'name');
    return typeof name === 'string' && name !== '' ? name : 'Error';
  }
  if (typeof error === 'symbol') return error.toString();
  return jsonOf(error) ?? textOf(error);
}

/** The stack of an error if it has one, else its message. Never throws. */
export function stackOf(error: unknown): string {
  const stack = isInstance(error, Error) ? safeGet(error, 'stack') : undefined;
  return typeof stack === 'string' && stack !== '' ? stack : messageOf(error);
}

/** How a value is quoted in a validation message: the value and its type, e.g. `` `0` (number) ``. */
export function describe(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') shown = JSON.stringify(value);
  else if (typeof value === 'function')
    shown = `[function ${textOf(safeGet(value, 'name')) || 'anonymous'}]`;
  else if (typeof value === 'bigint') shown = `${value}n`;
  // JSON would print NaN and ±Infinity as `null`, hiding the very value that was refused.
  else if (typeof value === 'number') shown = String(value);
  else if (typeof value === 'symbol') shown = value.toString();
  else shown = jsonOf(value) ?? textOf(value);
  if (shown.length > 80) shown = `${shown.slice(0, 80)}…`;
  let type: string;
  try {
    type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  } catch {
    type = 'object'; // Array.isArray throws on a revoked Proxy
  }
  return `\`${shown}\` (${type})`;
}

/**
 * Whether `value` has a `then` method (a promise or any other thenable). A `then` getter that
 * throws throws here: call it where that failure is caught and reported.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
