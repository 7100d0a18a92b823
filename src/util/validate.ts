/** Option validation: messages name the option, quote the value and its type, and say what fits. */
import { describe } from './describe.js';

export { describe };

/** A whole number from `min` up (to `max` when given), or `Infinity` when `allowInfinity`. */
export function checkInteger(
  owner: string,
  option: string,
  value: unknown,
  {
    min = 1,
    max,
    allowInfinity = false,
  }: { min?: number; max?: number; allowInfinity?: boolean } = {},
): number {
  const ok =
    typeof value === 'number' &&
    ((Number.isInteger(value) && value >= min && value <= (max ?? Infinity)) ||
      (allowInfinity && value === Infinity));
  if (!ok) {
    const range =
      max === undefined
        ? `from ${min} up${allowInfinity ? ' or `Infinity`' : ''}`
        : `from ${min} to ${max}`;
    throw new RangeError(
      `${owner}: expected \`${option}\` to be a whole number ${range}, got ${describe(value)}.`,
    );
  }
  return value;
}

/** An options object (not null, not an array) with only known keys and no `null` values. */
export function checkOptions(owner: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${owner}: expected an options object, got ${describe(options)}.`);
  }
  checkKnownKeys(owner, options, known);
}

/** A non-empty string; `hint` says what to pass. */
export function checkNonEmptyString(
  owner: string,
  option: string,
  value: unknown,
  hint: string,
): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(
      `${owner}: expected \`${option}\` to be a non-empty string, got ${describe(value)}; ${hint}.`,
    );
  }
  return value;
}

/** A finite number from `min` up (durations in milliseconds, multipliers). */
export function checkNumber(
  owner: string,
  option: string,
  value: unknown,
  {
    min = 0,
    exclusive = false,
    unit = '',
  }: { min?: number; exclusive?: boolean; unit?: string } = {},
): number {
  const ok =
    typeof value === 'number' && Number.isFinite(value) && (exclusive ? value > min : value >= min);
  if (!ok) {
    const bound = exclusive ? `greater than ${min}` : `${min} or more`;
    throw new RangeError(
      `${owner}: expected \`${option}\` to be a finite number ${bound}${unit ? ` (${unit})` : ''}, got ${describe(value)}.`,
    );
  }
  return value;
}

/** One of an enum's values. */
export function checkEnum<T extends string>(
  owner: string,
  option: string,
  value: unknown,
  enumObject: Readonly<Record<string, T>>,
): T {
  const values = Object.values(enumObject);
  if (!values.includes(value as T)) {
    throw new TypeError(
      `${owner}: unknown \`${option}\` ${describe(value)}; expected one of ${values.map((v) => `'${v}'`).join(', ')}.`,
    );
  }
  return value as T;
}

export function checkFunction(owner: string, option: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw new TypeError(
      `${owner}: expected \`${option}\` to be a function, got ${describe(value)}.`,
    );
  }
}

export function checkBoolean(owner: string, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(
      `${owner}: expected \`${option}\` to be true or false, got ${describe(value)}.`,
    );
  }
  return value;
}

/**
 * Refuses option keys the owner does not know, so a typo does not pass silently, and `null` for an
 * option (only `undefined` or leaving it out means "the default").
 */
export function checkKnownKeys(owner: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `${owner}: unknown option \`${key}\`; known options are ${known.map((k) => `\`${k}\``).join(', ')}.`,
      );
    }
  }
  checkNoNulls(owner, options);
}

/** Refuses `null` for an option: only `undefined` (or leaving it out) means "the default". */
export function checkNoNulls(owner: string, options: object): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === null) {
      throw new TypeError(
        `${owner}: \`${key}\` is null; leave it out (or pass undefined) for its default, or give it a value.`,
      );
    }
  }
}

const NAME = /^[^:[\]#]+$/;

/**
 * A name that becomes a segment of addresses (actors, groups): a non-empty string without `:`,
 * `[`, `]` or `#`, which build addresses.
 */
export function checkName(owner: string, option: string, value: unknown): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new TypeError(
      `${owner}: expected \`${option}\` to be a non-empty string without ':', '[', ']' or '#' (they build addresses), got ${describe(value)}.`,
    );
  }
  return value;
}
