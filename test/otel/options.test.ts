/**
 * `otelTracing()` options: a tracer of the user's, the default tracer of the global provider
 * (scope `rh-agents` with the package version and the conventions' schema URL), bad options
 * refused with messages that say what to pass; and the attribute names checked against the
 * official constants of `@opentelemetry/semantic-conventions` 1.37.
 */
import { readFileSync } from 'node:fs';
import { trace } from '@opentelemetry/api';
import * as semconv from '@opentelemetry/semantic-conventions/incubating';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ExecutionState, Tool } from '../../src/index.js';
import {
  GenAIOperation,
  SCHEMA_URL,
  SEMCONV_VERSION,
  TraceAttributes,
  otelTracing,
} from '../../src/otel/index.js';
import { RH_AGENTS_VERSION } from '../../src/otel/otel-tracing.js';
import { recordSpans } from './helpers.js';

const echo = new Tool({ name: 'Echo', inputSchema: z.object({}), handler: () => 'hi' });

afterEach(() => {
  trace.disable();
});

describe('otelTracing() options', () => {
  it('uses the global tracer provider by default, even one registered afterwards', async () => {
    const hooks = otelTracing();
    const rec = recordSpans();
    trace.setGlobalTracerProvider(rec.provider);
    await new ExecutionState({ tracing: hooks }).run(echo, {});
    const span = rec.span('execute_tool Echo');
    expect(span.instrumentationScope).toEqual({
      name: 'rh-agents',
      version: RH_AGENTS_VERSION,
      schemaUrl: 'https://opentelemetry.io/schemas/1.37.0',
    });
  });

  it('reports the version of the package it ships in', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(RH_AGENTS_VERSION).toBe(pkg.version);
    expect(SCHEMA_URL).toBe(`https://opentelemetry.io/schemas/${SEMCONV_VERSION}`);
  });

  it('uses the tracer it is given', async () => {
    const rec = recordSpans();
    const tracer = rec.provider.getTracer('my-app', '2.0.0');
    await new ExecutionState({ tracing: otelTracing({ tracer }) }).run(echo, {});
    expect(rec.span('execute_tool Echo').instrumentationScope).toMatchObject({
      name: 'my-app',
      version: '2.0.0',
    });
  });

  it.each([
    [
      { tracer: 'rh-agents' },
      "otelTracing(): expected `tracer` to be an OpenTelemetry Tracer (an object with startSpan()), e.g. trace.getTracer('my-app') from '@opentelemetry/api', got `\"rh-agents\"` (string).",
    ],
    [
      { tracer: {} },
      "otelTracing(): expected `tracer` to be an OpenTelemetry Tracer (an object with startSpan()), e.g. trace.getTracer('my-app') from '@opentelemetry/api', got `{}` (object).",
    ],
    [
      { tracer: null },
      'otelTracing(): `tracer` is null; leave it out (or pass undefined) for its default, or give it a value.',
    ],
    [{ tracr: {} }, 'otelTracing(): unknown option `tracr`; known options are `tracer`.'],
    ['tracer', 'otelTracing(): expected an options object, got `"tracer"` (string).'],
  ])('refuses %j', (options, message) => {
    expect(() => otelTracing(options as never)).toThrow(new TypeError(message));
  });

  it('says so when given a tracer provider instead of a tracer', () => {
    const rec = recordSpans();
    expect(() => otelTracing({ tracer: rec.provider as never })).toThrow(
      /got .* \(object\)\. It looks like a tracer provider: pass provider\.getTracer\(name\) instead\.$/,
    );
  });
});

describe('the attribute names', () => {
  it('are the GenAI semantic conventions 1.37 names', () => {
    expect(semconv).toMatchObject({
      ATTR_GEN_AI_OPERATION_NAME: TraceAttributes.GEN_AI_OPERATION_NAME,
      ATTR_GEN_AI_AGENT_NAME: TraceAttributes.GEN_AI_AGENT_NAME,
      ATTR_GEN_AI_AGENT_DESCRIPTION: TraceAttributes.GEN_AI_AGENT_DESCRIPTION,
      ATTR_GEN_AI_TOOL_NAME: TraceAttributes.GEN_AI_TOOL_NAME,
      ATTR_GEN_AI_TOOL_DESCRIPTION: TraceAttributes.GEN_AI_TOOL_DESCRIPTION,
      ATTR_GEN_AI_PROVIDER_NAME: TraceAttributes.GEN_AI_PROVIDER_NAME,
      ATTR_GEN_AI_REQUEST_MODEL: TraceAttributes.GEN_AI_REQUEST_MODEL,
      ATTR_GEN_AI_RESPONSE_MODEL: TraceAttributes.GEN_AI_RESPONSE_MODEL,
      ATTR_GEN_AI_RESPONSE_ID: TraceAttributes.GEN_AI_RESPONSE_ID,
      ATTR_GEN_AI_RESPONSE_FINISH_REASONS: TraceAttributes.GEN_AI_RESPONSE_FINISH_REASONS,
      ATTR_GEN_AI_USAGE_INPUT_TOKENS: TraceAttributes.GEN_AI_USAGE_INPUT_TOKENS,
      ATTR_GEN_AI_USAGE_OUTPUT_TOKENS: TraceAttributes.GEN_AI_USAGE_OUTPUT_TOKENS,
      ATTR_ERROR_TYPE: TraceAttributes.ERROR_TYPE,
      ATTR_ERROR_MESSAGE: TraceAttributes.ERROR_MESSAGE,
      GEN_AI_OPERATION_NAME_VALUE_CHAT: GenAIOperation.CHAT,
      GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL: GenAIOperation.EXECUTE_TOOL,
      GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT: GenAIOperation.INVOKE_AGENT,
    });
  });

  it('keep every other name in the rh.* namespace', () => {
    const own = Object.values(TraceAttributes).filter(
      (name) => !name.startsWith('gen_ai.') && !name.startsWith('error.'),
    );
    expect(own.length).toBeGreaterThan(10);
    for (const name of own) expect(name).toMatch(/^rh\.[a-z_]+(\.[a-z_]+)?$/);
  });
});
