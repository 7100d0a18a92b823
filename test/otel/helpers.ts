/**
 * Spans recorded in memory by the OpenTelemetry SDK (`@opentelemetry/sdk-trace-base`), with the
 * AsyncLocalStorage context manager of `@opentelemetry/context-async-hooks` registered globally
 * while a test file runs (as an application's SDK setup does), so user spans nest by context.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** Registers the AsyncLocalStorage context manager globally; returns what unregisters it. */
export function registerContextManager(): () => void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return () => context.disable();
}

export interface Recorder {
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  spans(): ReadableSpan[];
  /** The one finished span of that name (fails the test if there is not exactly one). */
  span(name: string): ReadableSpan;
  /** The finished spans as an indented tree: children under their parent, siblings by task index, then name. */
  tree(): string;
}

export function recordSpans(): Recorder {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  return {
    exporter,
    provider,
    spans,
    span(name) {
      const found = spans().filter((s) => s.name === name);
      if (found.length !== 1) {
        throw new Error(
          `expected one span '${name}', found ${found.length} among: ${spans()
            .map((s) => s.name)
            .join(', ')}`,
        );
      }
      return found[0] as ReadableSpan;
    },
    tree: () => treeOf(spans()),
  };
}

export const idOf = (span: ReadableSpan): string => span.spanContext().spanId;
export const parentIdOf = (span: ReadableSpan): string | undefined =>
  span.parentSpanContext?.spanId;

/** Spans as an indented tree, siblings ordered by `rh.parallel_index`, then name. */
export function treeOf(spans: readonly ReadableSpan[]): string {
  const ids = new Set(spans.map(idOf));
  const children = new Map<string | undefined, ReadableSpan[]>();
  for (const span of spans) {
    const parent = parentIdOf(span);
    const key = parent !== undefined && ids.has(parent) ? parent : undefined;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const order = (a: ReadableSpan, b: ReadableSpan): number => {
    const ia = Number(a.attributes['rh.parallel_index'] ?? -1);
    const ib = Number(b.attributes['rh.parallel_index'] ?? -1);
    return ia - ib || a.name.localeCompare(b.name);
  };
  const lines: string[] = [];
  const visit = (key: string | undefined, depth: number): void => {
    for (const span of (children.get(key) ?? []).sort(order)) {
      lines.push(`${'  '.repeat(depth)}${span.name}`);
      visit(idOf(span), depth + 1);
    }
  };
  visit(undefined, 0);
  return lines.join('\n');
}
