/**
 * Reading rate-limit failures: whether an error is one (HTTP 429 or 503) and how long the server
 * asked the client to wait (`Retry-After`). Works on the AI SDK's `APICallError`
 * (`statusCode`, `responseHeaders` as a plain record) and on other SDKs' errors (`status`,
 * `headers` as a `Headers` object or a plain record), following `cause` a few levels down.
 */

/** How deep `cause` chains are followed (an error wrapping an error wrapping the HTTP error). */
const MAX_DEPTH = 4;

type HeaderBag = { get(name: string): string | null } | Record<string, unknown>;

/** The errors of a `cause` chain, the error itself first. */
function* chain(error: unknown): Generator<Record<string, unknown>> {
  let current = error;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (current === null || typeof current !== 'object') return;
    yield current as Record<string, unknown>;
    current = (current as { cause?: unknown }).cause;
  }
}

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    try {
      return (headers as { get(name: string): string | null }).get(name) ?? undefined;
    } catch {
      return undefined;
    }
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}

/** The delay one header bag asks for, in milliseconds. */
function delayOf(headers: HeaderBag, now: number): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = header(headers, 'retry-after')?.trim();
  if (after === undefined || after === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long, in milliseconds, the server asked to wait before the next request, read from the
 * error's `responseHeaders` (AI SDK) or `headers` (other SDKs): `retry-after-ms`, or
 * `retry-after` as seconds or an HTTP date. `undefined` when the error carries none.
 */
export function retryAfterMs(error: unknown, now: number = Date.now()): number | undefined {
  try {
    for (const link of chain(error)) {
      for (const key of ['responseHeaders', 'headers'] as const) {
        const headers = link[key];
        if (headers === null || typeof headers !== 'object') continue;
        const delay = delayOf(headers as HeaderBag, now);
        if (delay !== undefined) return delay;
      }
    }
  } catch {
    // A hostile thrown value (a revoked Proxy, a throwing getter) carries no usable Retry-After.
  }
  return undefined;
}

/** Whether `error` is a rate-limit failure: `statusCode` or `status` 429 or 503. */
export function isRateLimitError(error: unknown): boolean {
  try {
    for (const link of chain(error)) {
      for (const key of ['statusCode', 'status'] as const) {
        const code = Number(link[key]);
        if (code === 429 || code === 503) return true;
      }
    }
  } catch {
    // A hostile thrown value is not a rate limit.
  }
  return false;
}
