/**
 * Section 7 of `npm run bench`: what tracing costs. With no `tracing` option the core calls no
 * hook (one `undefined` check per run and per group), so tracing off is the plain figure; with
 * `otelTracing()` each run makes a span, activates it around its handler and ends it.
 *
 *   - per task: 100 000 no-op task functions on 5 workers (a group's task path: no runs, so with
 *     tracing on only the group itself gets a span)
 *   - per run: 10 000 Tool runs in one group of 5 workers, each run a span
 *
 * "no SDK" is `otelTracing()` with no tracer provider registered (the API's no-op spans); "SDK"
 * records every span with `@opentelemetry/sdk-trace-base` (a SimpleSpanProcessor into an
 * InMemorySpanExporter, emptied after each pass) and the AsyncLocalStorage context manager of
 * `@opentelemetry/context-async-hooks`, as an application with tracing set up would.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ExecutionState, type Tracing } from '../src/index.js';
import { otelTracing } from '../src/otel/index.js';
import { NOOP_TASKS, NOOP_WORKERS, RUNS, noop } from './contenders.js';
import { type Sample, compare, fixed, table } from './measure.js';
import { echoRun } from './echo.js';

const RUN_COUNT = 10_000;

export async function tracingCost(): Promise<{ text: string; perTaskOnOff: number }> {
  trace.disable();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const variants: [string, () => Tracing | undefined][] = [
    ['tracing off (no `tracing` option)', () => undefined],
    ['otelTracing(), no SDK (no-op spans)', () => otelTracing()],
    [
      'otelTracing(), SDK recording in memory',
      () => otelTracing({ tracer: provider.getTracer('bench') }),
    ],
  ];
  try {
    const perTask = await compare(
      variants.map(([, tracing]) => async () => {
        const state = new ExecutionState({ tracing: tracing() });
        const p = state.parallel({ maxWorkers: NOOP_WORKERS });
        for (let i = 0; i < NOOP_TASKS; i++) p.add(() => noop(i));
        const results = await p.gather();
        exporter.reset();
        return results;
      }),
      { runs: RUNS, warmups: 2, units: NOOP_TASKS },
    );
    const perRun = await compare(
      variants.map(([, tracing]) => async () => {
        const state = new ExecutionState({ tracing: tracing() });
        const p = state.parallel({ maxWorkers: 5 });
        for (let i = 0; i < RUN_COUNT; i++) p.add(echoRun.run({ i }, undefined, state));
        const results = await p.gather();
        exporter.reset();
        return results;
      }),
      { runs: 5, warmups: 1, units: RUN_COUNT },
    );
    const ns = (s: Sample): string => fixed((s.medianMs * 1e6) / NOOP_TASKS, 0);
    const us = (s: Sample): string => fixed((s.medianMs * 1000) / RUN_COUNT, 2);
    const off = [perTask[0] as Sample, perRun[0] as Sample] as const;
    const text = table(
      ['tracing', 'ns/task (no-op tasks)', 'vs off', 'µs/run (Tool runs)', 'vs off'],
      variants.map(([name], i) => {
        const task = perTask[i] as Sample;
        const run = perRun[i] as Sample;
        return [
          name,
          ns(task),
          `${fixed(task.medianMs / off[0].medianMs, 2)}x`,
          us(run),
          `${fixed(run.medianMs / off[1].medianMs, 2)}x`,
        ];
      }),
    );
    return { text, perTaskOnOff: (perTask[2] as Sample).medianMs / off[0].medianMs };
  } finally {
    await provider.shutdown();
    context.disable();
  }
}
