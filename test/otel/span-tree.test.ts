/**
 * The shape of a trace: a span per run and per parallel group, each under the span of the run or
 * group it runs in (agent → tool, group → branch runs, groups in groups), a top-level run under
 * the caller's active span, and the user's own spans made in a handler under the run's span.
 */
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, ExecutionEvent, ExecutionState, Tool } from '../../src/index.js';
import { otelTracing } from '../../src/otel/index.js';
import { idOf, parentIdOf, recordSpans, registerContextManager } from './helpers.js';

let unregister: () => void;
beforeAll(() => {
  unregister = registerContextManager();
});
afterAll(() => unregister());

function traced() {
  const rec = recordSpans();
  const tracer = rec.provider.getTracer('test');
  const state = new ExecutionState({ tracing: otelTracing({ tracer }) });
  return { rec, tracer, state };
}

const double = new Tool({
  name: 'Double',
  inputSchema: z.object({ n: z.number() }),
  handler: ({ n }) => n * 2,
});

describe('the span tree', () => {
  it('puts a tool run under the agent run that called it', async () => {
    const { rec, state } = traced();
    const agent = new Agent({
      name: 'Planner',
      inputSchema: z.object({ n: z.number() }),
      handler: async ({ n }, _ctx, s) => {
        const first = await s.run(double, { n });
        const second = await s.run(double, { n: first.ok ? first.result : 0 });
        return second.ok ? second.result : -1;
      },
    });
    const r = await state.run(agent, { n: 3 });
    expect(r).toMatchObject({ ok: true, result: 12 });
    expect(rec.tree()).toBe(
      ['invoke_agent Planner', '  execute_tool Double', '  execute_tool Double'].join('\n'),
    );
    const root = rec.span('invoke_agent Planner');
    expect(parentIdOf(root)).toBeUndefined();
    for (const tool of rec.spans().filter((s) => s.name === 'execute_tool Double')) {
      expect(parentIdOf(tool)).toBe(idOf(root));
      expect(tool.spanContext().traceId).toBe(root.spanContext().traceId);
    }
  });

  it('puts a group under its run and the branch runs under the group, nested groups too', async () => {
    const { rec, state } = traced();
    const echo = new ExecutionEvent({ actor: double });
    const agent = new Agent({
      name: 'Pipeline',
      inputSchema: z.object({}),
      handler: async (_input, _ctx, s) => {
        const outer = await s.parallel({ name: 'Regions', maxWorkers: 2 }, (p) => {
          for (const region of ['eu', 'us']) {
            p.add(
              () =>
                s.parallel({ name: `Pages-${region}`, maxWorkers: 2 }, (inner) => {
                  for (let n = 0; n < 2; n++) inner.add(echo.run({ n }, undefined, s));
                }),
              region,
            );
          }
        });
        return outer.length;
      },
    });
    const r = await state.run(agent, {});
    expect(r).toMatchObject({ ok: true, result: 2 });
    expect(rec.tree()).toBe(
      [
        'invoke_agent Pipeline',
        '  parallel Regions',
        '    parallel Pages-eu',
        '      execute_tool Double',
        '      execute_tool Double',
        '    parallel Pages-us',
        '      execute_tool Double',
        '      execute_tool Double',
      ].join('\n'),
    );
    const regions = rec.span('parallel Regions');
    expect(parentIdOf(rec.span('parallel Pages-eu'))).toBe(idOf(regions));
    expect(parentIdOf(regions)).toBe(idOf(rec.span('invoke_agent Pipeline')));
    const eu = rec.span('parallel Pages-eu');
    const euRuns = rec.spans().filter((s) => parentIdOf(s) === idOf(eu));
    expect(euRuns.map((s) => s.attributes['rh.address']).sort()).toEqual([
      'Pipeline::Regions[0]::Pages-eu[0]::Double::tool_call',
      'Pipeline::Regions[0]::Pages-eu[1]::Double::tool_call',
    ]);
  });

  it('keeps concurrent branches apart: each run parents only its own children', async () => {
    const { rec, state } = traced();
    const worker = new Agent({
      name: 'Worker',
      inputSchema: z.object({ id: z.number() }),
      handler: async ({ id }, _ctx, s) => {
        await new Promise((resolve) => setTimeout(resolve, (3 - id) * 5));
        await s.run(double, { n: id });
        return id;
      },
    });
    const event = new ExecutionEvent({ actor: worker });
    await state.parallel({ name: 'Crew', maxWorkers: 3 }, (p) => {
      for (let id = 0; id < 3; id++) p.add(event.run({ id }, undefined, state));
    });
    const workers = rec.spans().filter((s) => s.name === 'invoke_agent Worker');
    expect(workers).toHaveLength(3);
    for (const w of workers) {
      const children = rec.spans().filter((s) => parentIdOf(s) === idOf(w));
      expect(children.map((s) => s.attributes['rh.address'])).toEqual([
        `Crew[${String(w.attributes['rh.parallel_index'])}]::Worker::Double::tool_call`,
      ]);
    }
  });

  it('nests a top-level run under the span active where it is called', async () => {
    const { rec, tracer, state } = traced();
    await tracer.startActiveSpan('http request', async (request) => {
      await state.run(double, { n: 1 });
      await state.parallel({ name: 'Batch' }, (p) => {
        p.add(() => 1);
      });
      request.end();
    });
    expect(rec.tree()).toBe(
      ['http request', '  execute_tool Double', '  parallel Batch'].join('\n'),
    );
  });

  it("nests the user's own spans made in a handler (and in its conditions) under the run", async () => {
    const { rec, tracer, state } = traced();
    const fetcher = new Tool({
      name: 'Fetch',
      inputSchema: z.object({ url: z.string() }),
      preconditions: [() => tracer.startActiveSpan('check quota', (span) => (span.end(), true))],
      handler: async ({ url }) =>
        tracer.startActiveSpan('http GET', async (span) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          // The active span inside the user's span is the user's span, nested in the run's.
          const active = trace.getActiveSpan();
          span.end();
          return active === span ? url.length : -1;
        }),
    });
    const agent = new Agent({
      name: 'Crawler',
      inputSchema: z.object({}),
      handler: async (_input, _ctx, s) => {
        const inAgent = tracer.startSpan('plan');
        inAgent.end();
        const r = await s.run(fetcher, { url: 'https://example.com' });
        return r.ok ? r.result : -1;
      },
    });
    const r = await state.run(agent, {});
    expect(r).toMatchObject({ ok: true, result: 19 });
    expect(rec.tree()).toBe(
      [
        'invoke_agent Crawler',
        '  execute_tool Fetch',
        '    check quota',
        '    http GET',
        '  plan',
      ].join('\n'),
    );
  });

  it('makes spans with no tracer provider registered (the global no-op) without failing', async () => {
    const state = new ExecutionState({ tracing: otelTracing() });
    const r = await state.parallel({ name: 'NoOp' }, (p) => {
      p.add(new ExecutionEvent({ actor: double }).run({ n: 2 }, undefined, state));
    });
    expect(r).toMatchObject([{ ok: true, result: 4 }]);
  });
});
