import { truncate, visibleLength } from './format.js';

/** Thrown inside the writer once the text is long enough: the rest is never read. */
const ENOUGH = Symbol('enough');

class Writer {
  text = '';
  constructor(private readonly limit: number) {}

  put(text: string): void {
    this.text += text;
    if (this.text.length > this.limit) throw ENOUGH;
  }
}

/** The message of a thrown value, without ever throwing itself. */
function thrownMessage(error: unknown): string {
  try {
    if (error instanceof Error) return String(error.message);
    return typeof error === 'symbol' ? error.toString() : String(error);
  } catch {
    return '?';
  }
}

function functionName(fn: unknown): string {
  try {
    const name = (fn as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' ? `: ${name}` : '';
  } catch {
    return '';
  }
}

/** Reads `key` of `target`, writing `[threw: …]` instead when the read throws. */
function writeProperty(target: object, key: string | number, out: Writer, seen: object[]): void {
  let value: unknown;
  try {
    value = (target as Record<string | number, unknown>)[key];
  } catch (error) {
    out.put(`[threw: ${thrownMessage(error)}]`);
    return;
  }
  writeValue(value, out, seen);
}

function writeObject(target: object, out: Writer, seen: object[]): void {
  // Throws for a revoked proxy (caught by the caller: `[unreadable]`).
  const isArray = Array.isArray(target);
  let toJSON: unknown;
  try {
    toJSON = (target as { toJSON?: unknown }).toJSON;
  } catch (error) {
    out.put(`[threw: ${thrownMessage(error)}]`);
    return;
  }
  if (typeof toJSON === 'function') {
    let json: unknown;
    try {
      json = toJSON.call(target);
    } catch (error) {
      out.put(`[threw: ${thrownMessage(error)}]`);
      return;
    }
    writeValue(json, out, seen);
    return;
  }
  if (target instanceof Error) {
    let name = 'Error';
    try {
      name = String(target.name);
    } catch {
      // keep 'Error'
    }
    out.put(`[${name}: ${thrownMessage(target)}]`);
    return;
  }
  if (isArray) {
    const length = (target as unknown[]).length;
    out.put('[');
    for (let i = 0; i < length; i++) {
      if (i > 0) out.put(',');
      writeProperty(target, i, out, seen);
    }
    out.put(']');
    return;
  }
  out.put('{');
  let first = true;
  for (const key of Object.keys(target)) {
    out.put(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    writeProperty(target, key, out, seen);
  }
  out.put('}');
}

function writeValue(value: unknown, out: Writer, seen: object[]): void {
  switch (typeof value) {
    case 'string':
      out.put(JSON.stringify(value));
      return;
    case 'number':
    case 'boolean':
    case 'undefined':
      out.put(String(value));
      return;
    case 'bigint':
      out.put(`${value}n`);
      return;
    case 'symbol':
      out.put(value.toString());
      return;
    case 'function':
      out.put(`[Function${functionName(value)}]`);
      return;
  }
  if (value === null) {
    out.put('null');
    return;
  }
  const target = value as object;
  if (seen.includes(target)) {
    out.put('[Circular]');
    return;
  }
  seen.push(target);
  const mark = out.text.length;
  try {
    writeObject(target, out, seen);
  } catch (error) {
    if (error === ENOUGH) throw error;
    // A revoked proxy, or a proxy whose traps throw.
    out.text = `${out.text.slice(0, mark)}[unreadable]`;
  } finally {
    seen.pop();
  }
}

/**
 * Compact JSON-like text for a log's metadata or a run's detail, at most `max` cells, for any
 * value: it never throws and reads no more of the value than the line shows. A string is shown as
 * it is; otherwise JSON, except that what JSON cannot take is named: a cycle as `[Circular]`, a
 * BigInt as `10n`, `undefined`, `NaN`, a symbol as `Symbol(s)`, a function as `[Function: name]`,
 * an error as `[Error: message]`, a getter or `toJSON` that throws as `[threw: message]`, a
 * revoked proxy as `[unreadable]`.
 */
export function shortJson(value: unknown, max: number): string {
  if (typeof value === 'string') return truncate(value, max);
  // Code units, not cells: a generous bound, so that the cells shown are all read.
  const out = new Writer(2 * max + 2);
  let more = false;
  try {
    writeValue(value, out, []);
  } catch (error) {
    if (error !== ENOUGH) return '[unreadable]';
    more = true;
  }
  if (!more) return truncate(out.text, max);
  // Stopped early: there is more than the text shows.
  return visibleLength(out.text) < max ? `${out.text}…` : truncate(`${out.text}…`, max);
}

/** A message or a name as text: a string as it is, anything else as `shortJson` shows it. */
export function safeText(value: unknown, max = 200): string {
  return typeof value === 'string' ? value : shortJson(value, max);
}
