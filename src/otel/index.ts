/**
 * `rh-agents/otel`: tracing on OpenTelemetry (`@opentelemetry/api` 1.9, an optional peer
 * dependency). `new ExecutionState({ tracing: otelTracing() })` makes a span per run and per
 * parallel group. Importing this entry without `@opentelemetry/api` installed fails with a message
 * that says what to install.
 */
export { otelTracing } from './otel-tracing.js';
export type { OtelTracingOptions } from './otel-tracing.js';
export {
  GenAIOperation,
  RETRY_EVENT,
  SCHEMA_URL,
  SEMCONV_VERSION,
  TRACER_NAME,
  TraceAttributes,
} from './semconv.js';
