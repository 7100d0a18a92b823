import { isInstance } from '../util/describe.js';
import { retryAfterMs } from '../util/retry-after.js';
import { BackoffStrategy, EventType } from '../util/enums.js';
import {
  CancelledError,
  ConditionError,
  InputValidationError,
  InterruptedError,
  OutputValidationError,
} from '../util/errors.js';
import {
  checkBoolean,
  checkEnum,
  checkFunction,
  checkInteger,
  checkKnownKeys,
  checkNumber,
  describe,
} from '../util/validate.js';

/** An error class (matched with `instanceof`) or a predicate of the thrown value. */
export type ErrorMatcher =
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (abstract new (...args: any[]) => unknown) | ((error: unknown) => boolean);

/** How a run retries a failing handler. Every duration is in milliseconds. */
export interface RetryConfig {
  /** Attempts in all, the first included. @default 3 */
  maxAttempts?: number;
  /** How the delay grows between attempts. @default 'exponential' */
  backoffStrategy?: BackoffStrategy;
  /** Delay before the second attempt. @default 1000 */
  initialDelayMs?: number;
  /** Upper bound of any delay. @default 60000 */
  maxDelayMs?: number;
  /** Growth factor of the exponential strategy. @default 2 */
  backoffMultiplier?: number;
  /** Spread each delay by ±25% so that many clients do not retry in step. @default true */
  jitter?: boolean;
  /** Retry only errors matching one of these (classes or predicates). @default every error */
  retryOn?: readonly ErrorMatcher[] | ErrorMatcher;
  /** Never retry errors matching one of these; wins over `retryOn`. */
  exclude?: readonly ErrorMatcher[] | ErrorMatcher;
  /** Stop retrying once this much time has passed since the run started (a retry that would start later is not made). */
  retryTimeoutMs?: number;
  /** `false` switches retrying off at this level; it does not fall through to a less specific one. @default true */
  enabled?: boolean;
}

/** A `RetryConfig` with every default filled in. */
export interface ResolvedRetry {
  maxAttempts: number;
  backoffStrategy: BackoffStrategy;
  initialDelayMs: number;
  maxDelayMs: number;
  backoffMultiplier: number;
  jitter: boolean;
  retryOn: readonly ErrorMatcher[];
  exclude: readonly ErrorMatcher[];
  retryTimeoutMs: number | undefined;
  enabled: boolean;
}

export const defaultRetryConfig: Readonly<ResolvedRetry> = Object.freeze({
  maxAttempts: 3,
  backoffStrategy: BackoffStrategy.EXPONENTIAL,
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  backoffMultiplier: 2,
  jitter: true,
  retryOn: [],
  exclude: [],
  retryTimeoutMs: undefined,
  enabled: true,
});

/** Built-in defaults by event type: tools and LLMs retry (3 attempts), agents do not. */
export const builtInRetryByEventType: Readonly<Record<EventType, ResolvedRetry>> = Object.freeze({
  [EventType.TOOL_CALL]: defaultRetryConfig,
  [EventType.LLM_CALL]: defaultRetryConfig,
  [EventType.AGENT_CALL]: Object.freeze({ ...defaultRetryConfig, maxAttempts: 1, enabled: false }),
});

const retryKeys = Object.keys(defaultRetryConfig);

function toList(value: unknown, owner: string, option: string): readonly ErrorMatcher[] {
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) checkFunction(owner, `${option}[]`, item);
  return list as ErrorMatcher[];
}

/**
 * Validates a user `RetryConfig` and fills in the defaults. `owner` names where it came from in
 * error messages (e.g. `Tool 'FetchDoc' retry`).
 */
export function resolveRetryConfig(config: RetryConfig, owner: string): ResolvedRetry {
  if (config === null || typeof config !== 'object') {
    throw new TypeError(`${owner}: expected a RetryConfig object, got ${describe(config)}.`);
  }
  checkKnownKeys(owner, config, retryKeys);
  const r: ResolvedRetry = { ...defaultRetryConfig };
  if (config.maxAttempts !== undefined)
    r.maxAttempts = checkInteger(owner, 'maxAttempts', config.maxAttempts);
  if (config.backoffStrategy !== undefined)
    r.backoffStrategy = checkEnum(
      owner,
      'backoffStrategy',
      config.backoffStrategy,
      BackoffStrategy,
    );
  if (config.initialDelayMs !== undefined)
    r.initialDelayMs = checkNumber(owner, 'initialDelayMs', config.initialDelayMs, {
      unit: 'milliseconds',
    });
  if (config.maxDelayMs !== undefined)
    r.maxDelayMs = checkNumber(owner, 'maxDelayMs', config.maxDelayMs, { unit: 'milliseconds' });
  if (config.backoffMultiplier !== undefined)
    r.backoffMultiplier = checkNumber(owner, 'backoffMultiplier', config.backoffMultiplier, {
      min: 1,
    });
  if (config.jitter !== undefined) r.jitter = checkBoolean(owner, 'jitter', config.jitter);
  if (config.retryOn !== undefined) r.retryOn = toList(config.retryOn, owner, 'retryOn');
  if (config.exclude !== undefined) r.exclude = toList(config.exclude, owner, 'exclude');
  if (config.retryTimeoutMs !== undefined)
    r.retryTimeoutMs = checkNumber(owner, 'retryTimeoutMs', config.retryTimeoutMs, {
      exclusive: true,
      unit: 'milliseconds',
    });
  if (config.enabled !== undefined) r.enabled = checkBoolean(owner, 'enabled', config.enabled);
  return r;
}

/**
 * The most specific config wins: event > actor > state by event type > state default > built-in.
 * A config with `enabled: false` wins too: it switches retrying off instead of falling through.
 */
export function pickRetry(
  candidates: readonly (ResolvedRetry | undefined)[],
  eventType: EventType,
): ResolvedRetry {
  for (const candidate of candidates) if (candidate) return candidate;
  return builtInRetryByEventType[eventType];
}

/** A `class` (an `Error` subclass or not) is matched with `instanceof`; any other function is a predicate. */
function matches(matcher: ErrorMatcher, error: unknown): boolean {
  if (
    matcher === Error ||
    matcher.prototype instanceof Error ||
    /^class\b/.test(Function.prototype.toString.call(matcher))
  ) {
    return error instanceof (matcher as abstract new () => unknown);
  }
  return Boolean((matcher as (error: unknown) => boolean)(error));
}

/** Errors that retrying cannot fix: bad input, broken conditions, cancellation. */
function isPermanent(error: unknown): boolean {
  return (
    isInstance(error, InputValidationError) ||
    isInstance(error, OutputValidationError) ||
    isInstance(error, ConditionError) ||
    isInstance(error, InterruptedError) ||
    isInstance(error, CancelledError)
  );
}

/** Whether `error` may be retried under `config` (attempt counts are checked by the caller). */
export function isRetryable(config: ResolvedRetry, error: unknown): boolean {
  if (!config.enabled || isPermanent(error)) return false;
  try {
    if (config.exclude.some((m) => matches(m, error))) return false;
    if (config.retryOn.length > 0) return config.retryOn.some((m) => matches(m, error));
  } catch {
    // A predicate that throws must not make the run reject: the error is not retried.
    return false;
  }
  return true;
}

/**
 * The delay before the next attempt, or `undefined` when the failure is not retried: the attempts
 * are used up, the error does not qualify (`retryOn`, `exclude`, permanent errors), or the retry
 * would start after `retryTimeoutMs`. A failure that carried `Retry-After` waits at least that
 * long. `attempt` (1-based) is the attempt that just failed;
 * `elapsedMs` is the time since the first attempt started. Runs and group retries share it.
 */
export function nextRetryDelay(
  config: ResolvedRetry,
  attempt: number,
  error: unknown,
  elapsedMs: number,
): number | undefined {
  if (attempt >= config.maxAttempts || !isRetryable(config, error)) return undefined;
  // A failure that carried Retry-After (a 429 or 503) waits at least that long.
  const delay = Math.max(backoffDelay(config, attempt), retryAfterMs(error) ?? 0);
  if (config.retryTimeoutMs !== undefined && elapsedMs + delay >= config.retryTimeoutMs)
    return undefined;
  return delay;
}

function fibonacci(n: number): number {
  let a = 1;
  let b = 1;
  for (let i = 1; i < n; i++) [a, b] = [b, a + b];
  return a;
}

/**
 * The delay before attempt `attempt + 1`, where `attempt` (1-based) is the attempt that just
 * failed. `random` is injectable for tests.
 */
export function backoffDelay(
  config: ResolvedRetry,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = config.initialDelayMs;
  let delay: number;
  switch (config.backoffStrategy) {
    case BackoffStrategy.CONSTANT:
      delay = base;
      break;
    case BackoffStrategy.LINEAR:
      delay = base * attempt;
      break;
    case BackoffStrategy.FIBONACCI:
      delay = base * fibonacci(attempt);
      break;
    default:
      delay = base * config.backoffMultiplier ** (attempt - 1);
  }
  delay = Math.min(delay, config.maxDelayMs);
  if (config.jitter) delay = delay * (0.75 + random() * 0.5);
  return Math.max(0, Math.min(delay, config.maxDelayMs));
}
