/**
 * Tracing with OpenTelemetry: `otelTracing()` gives every run and every parallel group a span,
 * nested as they ran, with GenAI attribute names (token usage on model calls), retries as span
 * events and failures as errors. Here the OpenTelemetry SDK records the spans in memory and the
 * example prints them as a tree; with `--console` the SDK's ConsoleSpanExporter prints each span
 * too. In an application you would export them with OTLP to Jaeger, Tempo, Honeycomb, …
 *
 *   npx tsx examples/tracing.ts [--console]
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { startSimulatedOpenAI } from '../simulator/openai-server.js';
import { ChatLLM } from '../src/ai/index.js';
import { Agent, ExecutionEvent, ExecutionState, Tool } from '../src/index.js';
import { otelTracing } from '../src/otel/index.js';

// ---- OpenTelemetry setup (what an application does once at start-up) -------------------------
// The context manager makes spans you start in a handler nest under the run's span.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const memory = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [
    new SimpleSpanProcessor(memory),
    ...(process.argv.includes('--console')
      ? [new SimpleSpanProcessor(new ConsoleSpanExporter())]
      : []),
  ],
});
const tracer = provider.getTracer('tracing-example');

// ---- A small pipeline: fetch pages in parallel, then summarize them with a model -------------
const server = await startSimulatedOpenAI({
  latencyMs: 10,
  script: () => ({
    text: 'Three pages about tracing.',
    usage: { promptTokens: 42, completionTokens: 7 },
  }),
});
const model = createOpenAICompatible({
  name: 'simulated',
  baseURL: server.url,
  includeUsage: true,
});

const failedOnce = new Set<string>();
const fetchPage = new Tool({
  name: 'FetchPage',
  inputSchema: z.object({ url: z.string() }),
  retry: { maxAttempts: 2, initialDelayMs: 10, jitter: false },
  handler: async ({ url }) =>
    // A span of your own, made in the handler: it nests under this run's span.
    tracer.startActiveSpan(`GET ${url}`, async (span) => {
      try {
        if (url.endsWith('/flaky') && !failedOnce.has(url)) {
          failedOnce.add(url);
          throw new Error('503 Service Unavailable');
        }
        if (url.endsWith('/missing')) throw new Error('404 Not Found');
        return `<html>${url}</html>`;
      } finally {
        span.end();
      }
    }),
});
const summarize = new ChatLLM({ name: 'Summarize', model: model('sim-small') });

const research = new Agent({
  name: 'Research',
  inputSchema: z.object({ urls: z.array(z.string()) }),
  handler: async ({ urls }, _context, state) => {
    const event = new ExecutionEvent({ actor: fetchPage });
    const pages = await state.parallel({ name: 'Pages', maxWorkers: 2 }, (p) => {
      for (const url of urls) p.add(event.run({ url }, undefined, state));
    });
    const texts = pages.flatMap((page) => (page.ok ? [String(page.result)] : []));
    const summary = await state.run(summarize, { prompt: texts.join('\n') });
    return summary.ok ? summary.result.text : 'no summary';
  },
});

const state = new ExecutionState({ tracing: otelTracing({ tracer }) });
const result = await state.run(research, {
  urls: ['https://example.com/a', 'https://example.com/flaky', 'https://example.com/missing'],
});
console.log(`Research: ${result.ok ? result.result : result.errorMessage}`);
await server.close();

// ---- The recorded spans, as a tree ------------------------------------------------------------
await provider.forceFlush();
const spans = memory.getFinishedSpans();
const byParent = new Map<string | undefined, ReadableSpan[]>();
for (const span of spans) {
  const parent = span.parentSpanContext?.spanId;
  byParent.set(parent, [...(byParent.get(parent) ?? []), span]);
}
const startNs = (span: ReadableSpan): number => span.startTime[0] * 1e9 + span.startTime[1];
// Branches of a group by task index, other siblings in the order they started.
const order = (a: ReadableSpan, b: ReadableSpan): number =>
  Number(a.attributes['rh.parallel_index'] ?? -1) -
    Number(b.attributes['rh.parallel_index'] ?? -1) || startNs(a) - startNs(b);

function describeSpan(span: ReadableSpan): string {
  const a = span.attributes;
  const parts: string[] = [];
  if (a['rh.status'] !== undefined) parts.push(String(a['rh.status']));
  if (a['rh.address'] !== undefined) parts.push(`at ${String(a['rh.address'])}`);
  if (a['gen_ai.usage.input_tokens'] !== undefined) {
    parts.push(
      `tokens ${String(a['gen_ai.usage.input_tokens'])} in, ${String(a['gen_ai.usage.output_tokens'])} out`,
    );
  }
  if (a['rh.group.total'] !== undefined) {
    parts.push(
      `${String(a['rh.group.completed'])} of ${String(a['rh.group.total'])} completed, ${String(a['rh.group.failed'])} failed`,
    );
  }
  for (const event of span.events) {
    if (event.name === 'retry') {
      parts.push(`retried after: ${String(event.attributes?.['error.message'])}`);
    }
  }
  if (span.status.code === 2) parts.push(`ERROR ${span.status.message ?? ''}`.trim());
  return parts.length > 0 ? `${span.name} (${parts.join('; ')})` : span.name;
}

function print(parent: string | undefined, depth: number): void {
  for (const span of (byParent.get(parent) ?? []).sort(order)) {
    console.log(`${'  '.repeat(depth)}${describeSpan(span)}`);
    print(span.spanContext().spanId, depth + 1);
  }
}
console.log(`\n${spans.length} spans, one trace:`);
print(undefined, 0);
await provider.shutdown();
