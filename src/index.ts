export {
  BackoffStrategy,
  CircuitState,
  ErrorStrategy,
  EventType,
  ExecutionStatus,
  GroupStatus,
  ParallelDisplayMode,
  ReplayMode,
} from './util/enums.js';
export {
  CancelledError,
  CircuitOpenError,
  ConditionError,
  InputValidationError,
  InterruptedError,
  MissingPeerDependencyError,
  OutputValidationError,
  RhAgentsError,
  UsageError,
} from './util/errors.js';
export { Agent, BaseActor, LLM, Tool } from './core/actors.js';
export type { ActorOptions, AnyActor, Postcondition, Precondition, Schema } from './core/actors.js';
export { ExecutionEvent } from './core/execution-event.js';
export type { ExecutionEventOptions } from './core/execution-event.js';
export { LazyRun } from './core/lazy-run.js';
export { isExecutionResult } from './core/result.js';
export type {
  ExecutionFailure,
  ExecutionResult,
  ExecutionSuccess,
  RunResult,
} from './core/result.js';
export { backoffDelay, defaultRetryConfig } from './core/retry.js';
export type { ErrorMatcher, RetryConfig } from './core/retry.js';
export { ExecutionState } from './state/execution-state.js';
export type {
  ExecutionStateOptions,
  LoadOptions,
  RestoreOptions,
} from './state/execution-state.js';
export type { InterruptChecker } from './core/interrupts.js';
export { ExecutionHistory } from './core/history.js';
export { StateStorage } from './core/storage.js';
export { EventBus } from './bus/event-bus.js';
export type { EventBusOptions } from './bus/event-bus.js';
export type {
  BusEvent,
  ExecutionRecord,
  GroupEvent,
  InterruptEvent,
  LimitEvent,
  LogEvent,
  LogSeverity,
  Subscriber,
} from './bus/events.js';
export { ParallelExecutionManager } from './parallel/manager.js';
export type { Task } from './parallel/task.js';
export { CircuitBreaker } from './parallel/circuit-breaker.js';
export type { CircuitBreakerOptions, CircuitBreakerSnapshot } from './parallel/circuit-breaker.js';
export { ParallelCancelledError, ParallelTimeoutError } from './parallel/errors.js';
export { defaultParallelOptions } from './parallel/options.js';
export type { ParallelOptions } from './parallel/options.js';
export type { Distribution, ParallelMetrics } from './parallel/metrics.js';
export type {
  GroupError,
  ParallelGroup,
  ParallelResult,
  TaskContext,
  TaskFunction,
} from './parallel/types.js';
export { EventPrinter, ParallelEventPrinter } from './printers/index.js';
export type {
  EventPrinterOptions,
  GroupTracker,
  LimitSummary,
  ParallelEventPrinterOptions,
  ParallelPrinterSummary,
  PrinterStream,
  RunSummary,
  SlowRun,
  TaskFailure,
} from './printers/index.js';
export { AdaptiveLimiter, defaultAdaptiveLimiterOptions } from './limits/adaptive-limiter.js';
export type { AdaptiveLimiterOptions, LimiterSnapshot } from './limits/adaptive-limiter.js';
export type { AcquireOptions, LimitChange, LimiterPermit, RunLimiter } from './core/run-limiter.js';
export { isRateLimitError, retryAfterMs } from './util/retry-after.js';
export { artifactRefOf, FileSystemArtifactBackend } from './recovery/artifact-backend.js';
export type {
  ArtifactBackend,
  FileSystemArtifactBackendOptions,
} from './recovery/artifact-backend.js';
export { isArtifactReference } from './recovery/artifacts.js';
export type { ArtifactReference } from './recovery/artifacts.js';
export { checkStateId, STATE_ID_PATTERN } from './recovery/backend.js';
export type { StateBackend } from './recovery/backend.js';
export {
  ArtifactNotFoundError,
  CorruptStateError,
  StateNotFoundError,
  StateVersionError,
  UnstorableValueError,
} from './recovery/errors.js';
export { FileSystemStateBackend } from './recovery/file-system-backend.js';
export type { FileSystemStateBackendOptions } from './recovery/file-system-backend.js';
export { toJsonValue } from './recovery/json-value.js';
export type { JsonValue } from './recovery/json-value.js';
export {
  applyEntry,
  checkSnapshot,
  STATE_FORMAT,
  STATE_FORMAT_VERSION,
} from './recovery/snapshot.js';
export type {
  CheckpointEntry,
  StateMetadata,
  StateSnapshot,
  StateStatus,
  StateSummary,
  StoredRecord,
} from './recovery/snapshot.js';
export { SqliteStateBackend } from './recovery/sqlite-backend.js';
export type { SqliteStateBackendOptions } from './recovery/sqlite-backend.js';
export type {
  GroupTrace,
  GroupTraceEnd,
  GroupTraceInfo,
  RunTrace,
  RunTraceEnd,
  RunTraceInfo,
  TraceSpan,
  Tracing,
} from './core/tracing.js';
export type { RemoteExecutor, RemoteOutcome, RemoteRun } from './core/remote.js';
export { executeRemoteRun } from './core/remote-run.js';
