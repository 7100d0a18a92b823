import { randomUUID } from 'node:crypto';
import { EventBus } from '../bus/event-bus.js';
import type { InterruptChecker } from '../core/interrupts.js';
import { type ResolvedRetry, type RetryConfig, resolveRetryConfig } from '../core/retry.js';
import type { Tracing } from '../core/tracing.js';
import type { ArtifactBackend } from '../recovery/artifact-backend.js';
import type { StateBackend } from '../recovery/backend.js';
import { type JsonValue, toJsonValue } from '../recovery/json-value.js';
import type { StateMetadata } from '../recovery/snapshot.js';
import { describe } from '../util/describe.js';
import { EventType, ReplayMode } from '../util/enums.js';
import {
  checkEnum,
  checkFunction,
  checkInteger,
  checkKnownKeys,
  checkNonEmptyString,
  checkNumber,
  checkOptions,
} from '../util/validate.js';

/** Options of `new ExecutionState()`. Every duration is in milliseconds. */
export interface ExecutionStateOptions {
  /** Where events are published. @default a new EventBus */
  eventBus?: EventBus;
  /** Cap on running parallel branches across every group of this state. @default none */
  maxConcurrency?: number;
  /** Retry policy for every run that has no more specific one. @default built-in per event type */
  defaultRetry?: RetryConfig;
  /** Retry policy per event type; wins over `defaultRetry`. */
  retryByEventType?: Partial<Record<EventType, RetryConfig>>;
  /** The state's id: letters, digits, `_` and `-`, at most 128. @default a random UUID */
  stateId?: string;
  /** Polled before every run and by `checkInterrupt()`; something truthy (a reason string, or `true`) interrupts the state. */
  interruptChecker?: InterruptChecker;
  /** Interrupts the state this long after its first run starts. @default none */
  timeoutMs?: number;
  /** Longest `detail` string on execution records. @default 200 */
  detailMaxLength?: number;
  /** Where the state is checkpointed (`FileSystemStateBackend`, `SqliteStateBackend`, your own). @default none */
  stateBackend?: StateBackend;
  /**
   * `'event'`: every run that completes or fails is recorded durably before its promise
   * resolves; `'manual'`: only `saveCheckpoint()` writes. @default 'event' with a stateBackend
   */
  checkpoint?: 'event' | 'manual';
  /**
   * Where results whose JSON is at least its `minBytes` (64 KiB by default) are stored, by their
   * sha256, before the run's checkpoint; the state's record holds
   * `{ "$rhArtifact": "sha256:<hex>", "bytes": n }` instead. Needs a `stateBackend`; pass the same
   * one to `load()` / `fromSnapshot()` to replay those runs. @default none
   */
  artifactBackend?: ArtifactBackend;
  /** Stored with the state: `{ pipeline?, description?, tags?, parentStateId?, custom? }`. */
  metadata?: {
    pipeline?: string;
    description?: string;
    tags?: readonly string[];
    parentStateId?: string;
    custom?: Record<string, unknown>;
  };
  /** How a restored state treats runs that completed before. @default 'normal' */
  replayMode?: ReplayMode;
  /** On a restored state: the run at this address and every run recorded after it run again. */
  resumeFromAddress?: string;
  /** Tracing hooks, e.g. `otelTracing()` from `rh-agents/otel`. @default none */
  tracing?: Tracing;
}

/** The options validated, with their defaults. */
export interface ResolvedStateOptions {
  stateId: string;
  eventBus: EventBus;
  maxConcurrency: number | undefined;
  timeoutMs: number | undefined;
  detailMaxLength: number;
  interruptChecker: InterruptChecker | undefined;
  defaultRetry: ResolvedRetry | undefined;
  retryByEventType: Partial<Record<EventType, ResolvedRetry>>;
  stateBackend: StateBackend | undefined;
  checkpoint: 'event' | 'manual';
  artifactBackend: ArtifactBackend | undefined;
  /** `undefined` when not given (a restored state keeps its stored metadata then). */
  metadata: StateMetadata | undefined;
  replayMode: ReplayMode;
  resumeFromAddress: string | undefined;
  tracing: Tracing | undefined;
}

const OWNER = 'new ExecutionState()';
const KEYS = [
  'eventBus',
  'maxConcurrency',
  'defaultRetry',
  'retryByEventType',
  'stateId',
  'interruptChecker',
  'timeoutMs',
  'detailMaxLength',
  'stateBackend',
  'checkpoint',
  'artifactBackend',
  'metadata',
  'replayMode',
  'resumeFromAddress',
  'tracing',
];
const STATE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const BACKEND_METHODS = ['has', 'load', 'save', 'append', 'list', 'delete', 'close'] as const;
const ARTIFACT_METHODS = ['put', 'get', 'has', 'close'] as const;

/** `restoring`: a restored state may read its artifacts without a state backend to write to. */
export function resolveStateOptions(
  options: ExecutionStateOptions,
  restoring = false,
): ResolvedStateOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${OWNER}: expected an options object, got ${describe(options)}.`);
  }
  checkKnownKeys(OWNER, options, KEYS);
  const stateId = options.stateId ?? randomUUID();
  if (typeof stateId !== 'string' || !STATE_ID.test(stateId)) {
    throw new TypeError(
      `${OWNER}: \`stateId\` must be a plain identifier (letters, digits, '_' and '-', 1 to 128 of them) because it names files and rows; got ${describe(stateId)}.`,
    );
  }
  if (options.eventBus !== undefined && !(options.eventBus instanceof EventBus)) {
    throw new TypeError(
      `${OWNER}: expected \`eventBus\` to be an EventBus, got ${describe(options.eventBus)}.`,
    );
  }
  if (options.interruptChecker !== undefined)
    checkFunction(OWNER, 'interruptChecker', options.interruptChecker);
  const retryByEventType: Partial<Record<EventType, ResolvedRetry>> = {};
  for (const [type, config] of Object.entries(options.retryByEventType ?? {})) {
    if (!Object.values(EventType).includes(type as EventType)) {
      throw new TypeError(
        `${OWNER}: unknown event type ${describe(type)} in \`retryByEventType\`; expected one of ${Object.values(EventType).join(', ')}.`,
      );
    }
    if (config !== undefined)
      retryByEventType[type as EventType] = resolveRetryConfig(
        config,
        `${OWNER} retryByEventType.${type}`,
      );
  }
  const backend = options.stateBackend;
  if (backend !== undefined) {
    checkImplements(
      'stateBackend',
      backend,
      BACKEND_METHODS,
      'a StateBackend (e.g. new FileSystemStateBackend({ dir }))',
    );
  }
  const checkpoint = options.checkpoint ?? 'event';
  if (checkpoint !== 'event' && checkpoint !== 'manual') {
    throw new TypeError(
      `${OWNER}: unknown \`checkpoint\` ${describe(checkpoint)}; expected 'event' (a durable record per run) or 'manual' (saveCheckpoint() only).`,
    );
  }
  if (options.checkpoint !== undefined && backend === undefined) {
    throw new TypeError(
      `${OWNER}: \`checkpoint\` needs a \`stateBackend\` to write to; pass one, e.g. new FileSystemStateBackend({ dir: '.rh-agents' }).`,
    );
  }
  const artifactBackend = checkArtifactBackend(
    options.artifactBackend,
    backend !== undefined || restoring,
  );
  const tracing = options.tracing;
  if (
    tracing !== undefined &&
    (tracing === null ||
      typeof tracing !== 'object' ||
      typeof tracing.startRun !== 'function' ||
      typeof tracing.startGroup !== 'function')
  ) {
    throw new TypeError(
      `${OWNER}: expected \`tracing\` to be tracing hooks (e.g. otelTracing() from 'rh-agents/otel'), an object with startRun() and startGroup(); got ${describe(tracing)}.`,
    );
  }
  return {
    stateId,
    eventBus: options.eventBus ?? new EventBus(),
    maxConcurrency:
      options.maxConcurrency === undefined
        ? undefined
        : checkInteger(OWNER, 'maxConcurrency', options.maxConcurrency, { allowInfinity: true }),
    timeoutMs:
      options.timeoutMs === undefined
        ? undefined
        : checkNumber(OWNER, 'timeoutMs', options.timeoutMs, {
            exclusive: true,
            unit: 'milliseconds',
          }),
    detailMaxLength: checkInteger(OWNER, 'detailMaxLength', options.detailMaxLength ?? 200, {
      min: 1,
    }),
    interruptChecker: options.interruptChecker,
    defaultRetry:
      options.defaultRetry === undefined
        ? undefined
        : resolveRetryConfig(options.defaultRetry, `${OWNER} defaultRetry`),
    retryByEventType,
    stateBackend: backend,
    checkpoint,
    artifactBackend,
    metadata: options.metadata === undefined ? undefined : resolveMetadata(options.metadata),
    replayMode: checkEnum(OWNER, 'replayMode', options.replayMode ?? 'normal', ReplayMode),
    resumeFromAddress:
      options.resumeFromAddress === undefined
        ? undefined
        : checkNonEmptyString(
            OWNER,
            'resumeFromAddress',
            options.resumeFromAddress,
            'pass the address of a recorded run, e.g. "Pipeline::Docs[2]::FetchDoc::tool_call"',
          ),
    tracing,
  };
}

/** Refuses `value` for `option` unless it is an object with every one of `methods`. */
function checkImplements(
  option: string,
  value: unknown,
  methods: readonly string[],
  what: string,
): void {
  const isObject = typeof value === 'object' && value !== null;
  const missing = methods.filter(
    (method) => !isObject || typeof (value as Record<string, unknown>)[method] !== 'function',
  );
  if (missing.length === 0) return;
  throw new TypeError(
    `${OWNER}: expected \`${option}\` to be ${what}, an object with ${methods.join(', ')}; got ${describe(value)}${isObject ? ` (missing ${missing.join(', ')})` : ''}.`,
  );
}

function checkArtifactBackend(
  artifacts: ArtifactBackend | undefined,
  hasStateBackend: boolean,
): ArtifactBackend | undefined {
  if (artifacts === undefined) return undefined;
  checkImplements(
    'artifactBackend',
    artifacts,
    ARTIFACT_METHODS,
    'an ArtifactBackend (e.g. new FileSystemArtifactBackend({ dir }))',
  );
  if (artifacts.minBytes !== undefined)
    checkInteger(`${OWNER} artifactBackend`, 'minBytes', artifacts.minBytes, { min: 0 });
  if (!hasStateBackend) {
    throw new TypeError(
      `${OWNER}: \`artifactBackend\` needs a \`stateBackend\` (except on a state restored with fromSnapshot(), which only reads it): large results are stored apart from the state's records, which go to the state backend; pass both, e.g. { stateBackend: new FileSystemStateBackend({ dir: '.rh-agents/states' }), artifactBackend: new FileSystemArtifactBackend({ dir: '.rh-agents/artifacts' }) }.`,
    );
  }
  return artifacts;
}

function resolveMetadata(metadata: NonNullable<ExecutionStateOptions['metadata']>): StateMetadata {
  const owner = `${OWNER} metadata`;
  checkOptions(owner, metadata, ['pipeline', 'description', 'tags', 'parentStateId', 'custom']);
  const resolved: StateMetadata = { tags: [] };
  for (const key of ['pipeline', 'description', 'parentStateId'] as const) {
    const value = metadata[key];
    if (value !== undefined)
      resolved[key] = checkNonEmptyString(owner, key, value, 'or leave it out');
  }
  if (resolved.parentStateId !== undefined && !STATE_ID.test(resolved.parentStateId)) {
    throw new TypeError(
      `${owner}: \`parentStateId\` must be a state id (letters, digits, '_' and '-'), got ${describe(resolved.parentStateId)}.`,
    );
  }
  if (metadata.tags !== undefined) {
    if (
      !Array.isArray(metadata.tags) ||
      metadata.tags.some((tag) => typeof tag !== 'string' || tag === '')
    ) {
      throw new TypeError(
        `${owner}: expected \`tags\` to be an array of non-empty strings, got ${describe(metadata.tags)}.`,
      );
    }
    resolved.tags = [...metadata.tags];
  }
  if (metadata.custom !== undefined) {
    if (
      metadata.custom === null ||
      typeof metadata.custom !== 'object' ||
      Array.isArray(metadata.custom)
    ) {
      throw new TypeError(
        `${owner}: expected \`custom\` to be an object of JSON values, got ${describe(metadata.custom)}.`,
      );
    }
    resolved.custom = toJsonValue(metadata.custom, 'metadata.custom', { root: 'custom' }) as {
      [key: string]: JsonValue;
    };
  }
  return resolved;
}
