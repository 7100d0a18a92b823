import {
  type ResolvedRetry,
  type RetryConfig,
  defaultRetryConfig,
  resolveRetryConfig,
} from '../core/retry.js';
import type { RemoteExecutor } from '../core/remote.js';
import { BackoffStrategy, ErrorStrategy } from '../util/enums.js';
import {
  checkEnum,
  checkInteger,
  checkKnownKeys,
  checkName,
  checkNumber,
  describe,
} from '../util/validate.js';
import { CircuitBreaker } from './circuit-breaker.js';

/** Options of `state.parallel()`. Every duration is in milliseconds. */
export interface ParallelOptions {
  /** Tasks of this group running at once: a whole number from 1, or `Infinity`. @default 5 */
  maxWorkers?: number;
  /** Names the group in its id, its events and its errors. @default 'parallel' */
  name?: string;
  /** `fail_slow` runs every task and reports failures as `ok: false`; `fail_fast` rejects on the first failure. @default 'fail_slow' */
  errorStrategy?: ErrorStrategy;
  /** Rejects `gather()` with a `ParallelTimeoutError` this long after the first tasks start. @default none */
  timeoutMs?: number;
  /** Times a failed task is invoked again: shorthand for `retry: { maxAttempts: maxRetries + 1 }`. @default 0 */
  maxRetries?: number;
  /** Delay before the first retry; doubles for each further one (±25% jitter). Shorthand for `retry.initialDelayMs`. @default 1000 */
  retryDelayMs?: number;
  /**
   * The group's retry policy for failed tasks, in the same vocabulary as an actor's: every backoff
   * strategy, jitter, `retryOn`/`exclude`, `retryTimeoutMs`. Give either this or the shorthands
   * `maxRetries`/`retryDelayMs`. @default no retry
   */
  retry?: RetryConfig;
  /** A shared `CircuitBreaker`, or `{ threshold, resetTimeoutMs }` for one of the group's own. @default none */
  circuitBreaker?: CircuitBreaker | { threshold: number; resetTimeoutMs: number };
  /**
   * Runs the group's lazy runs on other processes (e.g. `BullMQExecutor` from `rh-agents/bullmq`);
   * a plain function task cannot travel and is refused at `add()`. @default none: runs here
   */
  executor?: RemoteExecutor;
}

/** `ParallelOptions` validated, with every default filled in. */
export interface ResolvedParallelOptions {
  maxWorkers: number;
  name: string | undefined;
  errorStrategy: ErrorStrategy;
  timeoutMs: number | undefined;
  maxRetries: number;
  retryDelayMs: number;
  /** The retry policy every task of the group follows (from `retry`, or from the shorthands). */
  retry: ResolvedRetry;
  circuitBreaker: CircuitBreaker | undefined;
  executor: RemoteExecutor | undefined;
}

export const defaultParallelOptions = Object.freeze({
  maxWorkers: 5,
  errorStrategy: ErrorStrategy.FAIL_SLOW,
  maxRetries: 0,
  retryDelayMs: 1000,
});

const OWNER = 'state.parallel()';
const KEYS = [
  'maxWorkers',
  'name',
  'errorStrategy',
  'timeoutMs',
  'maxRetries',
  'retryDelayMs',
  'retry',
  'circuitBreaker',
  'executor',
];

/** `null` is refused like any other wrong value; only `undefined` means "use the default". */
function orDefault<V>(value: V | undefined, fallback: V): V {
  return value === undefined ? fallback : value;
}

export function resolveParallelOptions(options: ParallelOptions = {}): ResolvedParallelOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `${OWNER}: expected an options object such as { maxWorkers: 5 }, got ${describe(options)}.`,
    );
  }
  checkKnownKeys(OWNER, options, KEYS);
  const { name, circuitBreaker } = options;
  if (name !== undefined) checkName(OWNER, 'name', name);
  let breaker: CircuitBreaker | undefined;
  if (circuitBreaker instanceof CircuitBreaker) breaker = circuitBreaker;
  else if (circuitBreaker !== undefined) {
    if (circuitBreaker === null || typeof circuitBreaker !== 'object') {
      throw new TypeError(
        `${OWNER}: expected \`circuitBreaker\` to be a CircuitBreaker or { threshold, resetTimeoutMs }, got ${describe(circuitBreaker)}.`,
      );
    }
    breaker = new CircuitBreaker({
      threshold: circuitBreaker.threshold,
      resetTimeoutMs: circuitBreaker.resetTimeoutMs,
    });
  }
  const maxRetries = checkInteger(
    OWNER,
    'maxRetries',
    orDefault(options.maxRetries, defaultParallelOptions.maxRetries),
    { min: 0 },
  );
  const retryDelayMs = checkNumber(
    OWNER,
    'retryDelayMs',
    orDefault(options.retryDelayMs, defaultParallelOptions.retryDelayMs),
    { unit: 'milliseconds' },
  );
  let retry: ResolvedRetry;
  if (options.retry !== undefined) {
    if (options.maxRetries !== undefined || options.retryDelayMs !== undefined) {
      throw new TypeError(
        `${OWNER}: give either \`retry\` or its shorthands \`maxRetries\`/\`retryDelayMs\`, not both; e.g. retry: { maxAttempts: 3, initialDelayMs: 500 }.`,
      );
    }
    retry = resolveRetryConfig(options.retry, `${OWNER} retry`);
  } else {
    // The shorthands: exponential from retryDelayMs, doubling, ±25% jitter, no upper bound.
    retry = {
      ...defaultRetryConfig,
      maxAttempts: maxRetries + 1,
      backoffStrategy: BackoffStrategy.EXPONENTIAL,
      initialDelayMs: retryDelayMs,
      maxDelayMs: Infinity,
      enabled: maxRetries > 0,
    };
  }
  return {
    maxWorkers: checkInteger(
      OWNER,
      'maxWorkers',
      orDefault(options.maxWorkers, defaultParallelOptions.maxWorkers),
      { allowInfinity: true },
    ),
    name,
    errorStrategy: checkEnum(
      OWNER,
      'errorStrategy',
      orDefault(options.errorStrategy, defaultParallelOptions.errorStrategy),
      ErrorStrategy,
    ),
    timeoutMs:
      options.timeoutMs === undefined
        ? undefined
        : checkNumber(OWNER, 'timeoutMs', options.timeoutMs, {
            exclusive: true,
            unit: 'milliseconds',
          }),
    maxRetries: retry.enabled ? retry.maxAttempts - 1 : 0,
    retryDelayMs: retry.initialDelayMs,
    retry,
    circuitBreaker: breaker,
    executor: checkExecutor(options.executor),
  };
}

function checkExecutor(executor: unknown): RemoteExecutor | undefined {
  if (executor === undefined) return undefined;
  if (
    executor === null ||
    typeof executor !== 'object' ||
    typeof (executor as { execute?: unknown }).execute !== 'function'
  ) {
    throw new TypeError(
      `${OWNER}: expected \`executor\` to be a RemoteExecutor (an object with execute(), e.g. new BullMQExecutor(…) from 'rh-agents/bullmq'), got ${describe(executor)}.`,
    );
  }
  return executor as RemoteExecutor;
}
