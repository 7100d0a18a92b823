/**
 * What a run's span and a group's span say: GenAI names and attributes, the run's address and
 * group, one span across retries with a `retry` event per retried attempt, status ERROR with the
 * exception recorded on failure, cancelled and interrupted runs, and group counts.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Agent, ExecutionEvent, ExecutionState, Tool } from '../../src/index.js';
import { otelTracing } from '../../src/otel/index.js';
import { recordSpans } from './helpers.js';

function traced() {
  const rec = recordSpans();
  const state = new ExecutionState({
    tracing: otelTracing({ tracer: rec.provider.getTracer('test') }),
  });
  return { rec, state };
}

describe('run spans', () => {
  it('names a tool run `execute_tool {name}` with GenAI and rh.* attributes', async () => {
    const { rec, state } = traced();
    const lookup = new Tool({
      name: 'Lookup',
      description: 'Finds a word',
      inputSchema: z.object({ word: z.string() }),
      handler: ({ word }) => word.length,
    });
    const event = new ExecutionEvent({ actor: lookup, tag: 'dictionary' });
    await state.parallel({ name: 'Words', maxWorkers: 4 }, (p) => {
      p.add(event.run({ word: 'a' }, undefined, state));
      p.add(event.run({ word: 'bb' }, undefined, state));
    });
    const spans = rec.spans().filter((s) => s.name === 'execute_tool Lookup');
    expect(spans).toHaveLength(2);
    const second = spans.find((s) => s.attributes['rh.parallel_index'] === 1);
    expect(second?.kind).toBe(SpanKind.INTERNAL);
    expect(second?.attributes).toEqual({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'Lookup',
      'gen_ai.tool.description': 'Finds a word',
      'rh.actor': 'Lookup',
      'rh.event_type': 'tool_call',
      'rh.address': 'Words[1]::Lookup::tool_call',
      'rh.state_id': state.stateId,
      'rh.tag': 'dictionary',
      'rh.group_id': 'Words',
      'rh.parallel_index': 1,
      'rh.status': 'completed',
      'rh.attempts': 1,
    });
    expect(second?.status.code).toBe(SpanStatusCode.UNSET);
    expect(second?.ended).toBe(true);
  });

  it('names an agent run `invoke_agent {name}`; no group, tag or description attributes when absent', async () => {
    const { rec, state } = traced();
    const agent = new Agent({
      name: 'Planner',
      inputSchema: z.object({}),
      handler: () => 'plan',
    });
    await state.run(agent, {});
    const span = rec.span('invoke_agent Planner');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'Planner',
      'rh.actor': 'Planner',
      'rh.event_type': 'agent_call',
      'rh.address': 'Planner::agent_call',
      'rh.state_id': state.stateId,
      'rh.status': 'completed',
      'rh.attempts': 1,
    });
  });

  it('has one span across retries, with a retry event per retried attempt', async () => {
    const { rec, state } = traced();
    let calls = 0;
    const flaky = new Tool({
      name: 'Flaky',
      inputSchema: z.object({}),
      retry: { maxAttempts: 3, initialDelayMs: 5, jitter: false, backoffStrategy: 'constant' },
      handler: () => {
        calls++;
        if (calls < 3) throw new TypeError(`503 on call ${calls}`);
        return 'ok';
      },
    });
    const r = await state.run(flaky, {});
    expect(r).toMatchObject({ ok: true, result: 'ok' });
    const span = rec.span('execute_tool Flaky');
    expect(rec.spans()).toHaveLength(1);
    expect(span.attributes['rh.attempts']).toBe(3);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events.map((e) => [e.name, e.attributes])).toEqual([
      [
        'retry',
        {
          'rh.retry.attempt': 1,
          'rh.retry.delay_ms': 5,
          'error.type': 'TypeError',
          'error.message': '503 on call 1',
        },
      ],
      [
        'retry',
        {
          'rh.retry.attempt': 2,
          'rh.retry.delay_ms': 5,
          'error.type': 'TypeError',
          'error.message': '503 on call 2',
        },
      ],
    ]);
  });

  it('gives a failed run status ERROR, error.type and the recorded exception', async () => {
    const { rec, state } = traced();
    const broken = new Tool({
      name: 'Broken',
      inputSchema: z.object({}),
      retry: { maxAttempts: 2, initialDelayMs: 1, jitter: false },
      handler: () => {
        throw new RangeError('disk full');
      },
    });
    const r = await state.run(broken, {});
    expect(r).toMatchObject({ ok: false, errorMessage: 'disk full (after 2 attempts)' });
    const span = rec.span('execute_tool Broken');
    expect(span.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'disk full (after 2 attempts)',
    });
    expect(span.attributes).toMatchObject({
      'rh.status': 'failed',
      'rh.status_message': 'disk full (after 2 attempts)',
      'rh.attempts': 2,
      'error.type': 'RangeError',
    });
    expect(span.events.map((e) => e.name)).toEqual(['retry', 'exception']);
    const exception = span.events[1]?.attributes ?? {};
    expect(exception['exception.type']).toBe('RangeError');
    expect(exception['exception.message']).toBe('disk full');
    expect(String(exception['exception.stacktrace'])).toContain('RangeError: disk full');
  });

  it('fails input validation without calling the handler: ERROR with InputValidationError', async () => {
    const { rec, state } = traced();
    const strict = new Tool({
      name: 'Strict',
      inputSchema: z.object({ n: z.number() }),
      handler: ({ n }) => n,
    });
    await state.run(strict, { n: 'one' } as never);
    const span = rec.span('execute_tool Strict');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('InputValidationError');
    expect(span.attributes['rh.attempts']).toBe(1);
  });

  it('records a thrown non-Error (and a hostile error) without throwing from the hook', async () => {
    const { rec, state } = traced();
    const hostile = new Error('x');
    Object.defineProperty(hostile, 'message', {
      get() {
        throw new Error('getter trap');
      },
    });
    const throwsString = new Tool({
      name: 'ThrowsString',
      inputSchema: z.object({}),
      retry: { enabled: false },
      handler: () => {
        throw 'plain string';
      },
    });
    const throwsHostile = new Tool({
      name: 'ThrowsHostile',
      inputSchema: z.object({}),
      retry: { enabled: false },
      handler: () => {
        throw hostile;
      },
    });
    expect(await state.run(throwsString, {})).toMatchObject({ ok: false });
    expect(await state.run(throwsHostile, {})).toMatchObject({ ok: false });
    const plain = rec.span('execute_tool ThrowsString');
    expect(plain.attributes['error.type']).toBe('_OTHER');
    expect(plain.events[0]?.attributes?.['exception.message']).toBe('plain string');
    const trapped = rec.span('execute_tool ThrowsHostile');
    expect(trapped.status.code).toBe(SpanStatusCode.ERROR);
    expect(trapped.attributes['error.type']).toBe('Error');
  });

  it('says a run was cancelled (status left unset) when a fail_fast sibling failed', async () => {
    const { rec, state } = traced();
    const slow = new Tool({
      name: 'Slow',
      inputSchema: z.object({}),
      handler: async (_input, _ctx, s) => {
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, 5_000);
          s.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(s.signal.reason);
          });
        });
        return 'late';
      },
    });
    const failing = new Tool({
      name: 'Failing',
      inputSchema: z.object({}),
      retry: { enabled: false },
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        throw new Error('boom');
      },
    });
    const p = state.parallel({ name: 'Race', errorStrategy: 'fail_fast', maxWorkers: 2 });
    p.add(new ExecutionEvent({ actor: slow }).run({}, undefined, state));
    p.add(new ExecutionEvent({ actor: failing }).run({}, undefined, state));
    await expect(p.gather()).rejects.toThrow('boom');
    await vi.waitFor(() => expect(rec.spans()).toHaveLength(3));
    const cancelled = rec.span('execute_tool Slow');
    expect(cancelled.status.code).toBe(SpanStatusCode.UNSET);
    expect(cancelled.attributes['rh.status']).toBe('cancelled');
    expect(String(cancelled.attributes['rh.status_message'])).toContain('failed under fail_fast');
    expect(rec.span('execute_tool Failing').status.code).toBe(SpanStatusCode.ERROR);
    const group = rec.span('parallel Race');
    expect(group.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(group.attributes).toMatchObject({
      'rh.status': 'failed',
      'rh.group.total': 2,
      'rh.group.failed': 1,
      'rh.group.cancelled': 1,
      'error.type': 'Error',
    });
  });

  it('says a run was interrupted when the state is', async () => {
    const { rec, state } = traced();
    const waiting = new Tool({
      name: 'Waiting',
      inputSchema: z.object({}),
      handler: (_input, _ctx, s) =>
        new Promise((_resolve, reject) => {
          s.signal.addEventListener('abort', () => reject(s.signal.reason));
        }),
    });
    const running = state.run(waiting, {});
    await new Promise((resolve) => setTimeout(resolve, 5));
    state.requestInterrupt('the user pressed stop');
    expect(await running).toMatchObject({ ok: false });
    const later = await state.run(waiting, {});
    expect(later).toMatchObject({ ok: false });
    const spans = rec.spans().filter((s) => s.name === 'execute_tool Waiting');
    expect(spans.map((s) => s.attributes['rh.status'])).toEqual(['interrupted', 'interrupted']);
    expect(spans.map((s) => s.status.code)).toEqual([SpanStatusCode.UNSET, SpanStatusCode.UNSET]);
    expect(String(spans[0]?.attributes['rh.status_message'])).toContain('the user pressed stop');
    // The later run never started its handler.
    expect(spans[1]?.attributes['rh.attempts']).toBe(1);
  });
});

describe('group spans', () => {
  it('names a group `parallel {name}` and counts its tasks at the end', async () => {
    const { rec, state } = traced();
    const results = await state.parallel({ name: 'Mixed', maxWorkers: 3 }, (p) => {
      p.add(() => 1);
      p.add(() => {
        throw new Error('no');
      });
      p.add(() => 3);
    });
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    const span = rec.span('parallel Mixed');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.attributes).toEqual({
      'rh.group_id': 'Mixed',
      'rh.state_id': state.stateId,
      'rh.group.name': 'Mixed',
      'rh.group.max_workers': 3,
      'rh.status': 'failed',
      'rh.status_message': '1 of 3 tasks failed',
      'rh.group.total': 3,
      'rh.group.completed': 2,
      'rh.group.failed': 1,
      'rh.group.cancelled': 0,
    });
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: '1 of 3 tasks failed' });
  });

  it('names an unnamed group `parallel` and leaves out an unbounded maxWorkers', async () => {
    const { rec, state } = traced();
    await state.parallel({ maxWorkers: Infinity }, (p) => {
      p.add(() => 1);
    });
    const span = rec.span('parallel');
    expect(span.attributes['rh.group.max_workers']).toBeUndefined();
    expect(span.attributes['rh.group.name']).toBeUndefined();
    expect(span.attributes['rh.group_id']).toBe('parallel');
    expect(span.attributes['rh.status']).toBe('completed');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('records a timeout as the group error', async () => {
    const { rec, state } = traced();
    const p = state.parallel({ name: 'Slow', timeoutMs: 20 });
    p.add(({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)));
    await expect(p.gather()).rejects.toThrow(/timed out/);
    const span = rec.span('parallel Slow');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ParallelTimeoutError');
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('says a cancelled group was cancelled, with the reason', async () => {
    const { rec, state } = traced();
    const p = state.parallel({ name: 'Stopped' });
    p.add(({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)));
    await new Promise((resolve) => setTimeout(resolve, 5));
    p.cancel('no longer needed');
    await p.gather().catch(() => {});
    const span = rec.span('parallel Stopped');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['rh.status']).toBe('cancelled');
    expect(String(span.attributes['rh.status_message'])).toContain('no longer needed');
  });
});
