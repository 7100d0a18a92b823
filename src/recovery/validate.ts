/**
 * Option checks for the backends, in the house style (the option named, the value and its type
 * quoted, what fits said). The same as the core's helpers, kept here until they move to a leaf
 * `src/util/` folder that this folder can import without reaching into the core.
 */

export function describe(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') shown = JSON.stringify(value);
  else if (typeof value === 'function') shown = `[function ${value.name || 'anonymous'}]`;
  else if (typeof value === 'bigint') shown = `${value}n`;
  else if (typeof value === 'number') shown = String(value);
  else {
    try {
      shown = JSON.stringify(value) ?? String(value);
    } catch {
      shown = String(value);
    }
  }
  if (shown.length > 80) shown = `${shown.slice(0, 80)}…`;
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `\`${shown}\` (${type})`;
}

/** The options object itself: an object (or nothing, when `required` is false). */
export function checkOptions(owner: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${owner}: expected an options object, got ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `${owner}: unknown option \`${key}\`; known options are ${known.map((k) => `\`${k}\``).join(', ')}.`,
      );
    }
  }
}

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

export function checkBoolean(owner: string, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(
      `${owner}: expected \`${option}\` to be true or false, got ${describe(value)}.`,
    );
  }
  return value;
}

/** A whole number from `min` up (to `max`, or `Infinity` when no `max` is given). */
export function checkCount(
  owner: string,
  option: string,
  value: unknown,
  min: number,
  { max }: { max?: number } = {},
): number {
  const ok =
    typeof value === 'number' &&
    ((Number.isInteger(value) && value >= min && value <= (max ?? Infinity)) ||
      (max === undefined && value === Infinity));
  if (!ok) {
    const range = max === undefined ? `from ${min} up or \`Infinity\`` : `from ${min} to ${max}`;
    throw new RangeError(
      `${owner}: expected \`${option}\` to be a whole number ${range}, got ${describe(value)}.`,
    );
  }
  return value;
}
