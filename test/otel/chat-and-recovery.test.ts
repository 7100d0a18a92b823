/**
 * `chat` spans of `ChatLLM` runs against the loopback OpenAI-compatible simulator (real HTTP):
 * named after the requested model, with provider, token usage and the reply's model; and the
 * spans of a state restored from a snapshot, whose completed runs are replayed as `recovered`
 * (no tokens counted again).
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatLLM } from '../../src/ai/index.js';
import { Agent, ExecutionState, LLM, Tool } from '../../src/index.js';
import { otelTracing } from '../../src/otel/index.js';
import { simulated } from '../ai/helpers.js';
import { recordSpans } from './helpers.js';

function tracing() {
  const rec = recordSpans();
  return { rec, tracing: otelTracing({ tracer: rec.provider.getTracer('test') }) };
}

describe('chat spans', () => {
  it('names a ChatLLM run `chat {model}` with provider, request/response model and token usage', async () => {
    const { model } = await simulated({
      script: () => ({
        text: 'Paris.',
        usage: { promptTokens: 12, completionTokens: 3 },
        id: 'resp-7',
        model: 'sim-model-2025-01',
      }),
    });
    const llm = new ChatLLM({ name: 'Writer', model });
    const { rec, tracing: hooks } = tracing();
    const state = new ExecutionState({ tracing: hooks });
    const r = await state.run(llm, { prompt: 'Capital of France?' });
    expect(r).toMatchObject({ ok: true });
    const span = rec.span('chat sim-model');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'sim',
      'gen_ai.request.model': 'sim-model',
      'gen_ai.response.model': 'sim-model-2025-01',
      'gen_ai.response.id': 'resp-7',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
      'rh.actor': 'Writer',
      'rh.event_type': 'llm_call',
      'rh.address': 'Writer::llm_call',
      'rh.state_id': state.stateId,
      'rh.status': 'completed',
      'rh.attempts': 1,
    });
  });

  it('puts the model calls of a retried ChatLLM in one span with retry events', async () => {
    let calls = 0;
    const { model } = await simulated({
      script: () => (++calls === 1 ? { status: 503, message: 'overloaded' } : { text: 'ok' }),
    });
    const llm = new ChatLLM({
      name: 'Retrier',
      model,
      retry: { maxAttempts: 2, initialDelayMs: 1, jitter: false },
    });
    const { rec, tracing: hooks } = tracing();
    const r = await new ExecutionState({ tracing: hooks }).run(llm, { prompt: 'hi' });
    expect(r).toMatchObject({ ok: true });
    const span = rec.span('chat sim-model');
    expect(span.attributes['rh.attempts']).toBe(2);
    expect(span.events.map((e) => e.name)).toEqual(['retry']);
    expect(String(span.events[0]?.attributes?.['error.message'])).toContain('overloaded');
  });

  it('names an llm_call without a model after the model that answered, else after the actor', async () => {
    const hostile = {
      get usage(): never {
        throw new Error('usage trap');
      },
      response: { modelId: 'trapped' },
    };
    const replies = [
      { text: 'a', response: { modelId: 'answered-by' }, usage: { inputTokens: 1 } },
      'not an object',
      hostile,
    ];
    const custom = new LLM({
      name: 'Custom',
      inputSchema: z.object({ i: z.number() }),
      handler: ({ i }) => replies[i],
    });
    const { rec, tracing: hooks } = tracing();
    const state = new ExecutionState({ tracing: hooks });
    await state.run(custom, { i: 0 });
    await state.run(custom, { i: 1 });
    expect(await state.run(custom, { i: 2 })).toMatchObject({ ok: true });
    const named = rec.span('chat answered-by');
    expect(named.attributes['gen_ai.request.model']).toBeUndefined();
    expect(named.attributes['gen_ai.response.model']).toBe('answered-by');
    expect(named.attributes['gen_ai.usage.input_tokens']).toBe(1);
    expect(named.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    const plain = rec.span('chat Custom');
    expect(plain.attributes['rh.status']).toBe('completed');
    expect(plain.attributes['gen_ai.response.model']).toBeUndefined();
    // A result whose getter throws: the span still ends, without the unreadable usage.
    const trapped = rec.span('chat trapped');
    expect(trapped.attributes['rh.status']).toBe('completed');
    expect(trapped.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('gives a failed model call status ERROR and no usage', async () => {
    const { model } = await simulated({
      script: () => ({ status: 400, message: 'bad request' }),
    });
    const llm = new ChatLLM({ name: 'Refused', model, retry: { enabled: false } });
    const { rec, tracing: hooks } = tracing();
    await new ExecutionState({ tracing: hooks }).run(llm, { prompt: 'hi' });
    const span = rec.span('chat sim-model');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span.attributes['error.type']).toMatch(/Error$/);
  });
});

describe('spans of a restored state', () => {
  it('replays completed runs as `recovered` spans without token usage, and runs the rest', async () => {
    const { server, model } = await simulated({
      script: () => ({ text: 'draft', usage: { promptTokens: 20, completionTokens: 5 } }),
    });
    const writer = new ChatLLM({ name: 'Writer', model });
    let publishCalls = 0;
    const publish = new Tool({
      name: 'Publish',
      inputSchema: z.object({ text: z.string() }),
      retry: { enabled: false },
      handler: ({ text }) => {
        publishCalls++;
        if (publishCalls === 1) throw new Error('the CMS is down');
        return `published ${text}`;
      },
    });
    const pipeline = new Agent({
      name: 'Pipeline',
      inputSchema: z.object({}),
      handler: async (_input, _ctx, s) => {
        const draft = await s.run(writer, { prompt: 'Write' });
        if (!draft.ok) throw draft.error;
        const published = await s.run(publish, { text: draft.result.text });
        if (!published.ok) throw published.error;
        return published.result;
      },
    });

    const first = tracing();
    const state = new ExecutionState({ tracing: first.tracing });
    expect(await state.run(pipeline, {})).toMatchObject({ ok: false });
    expect(first.rec.span('chat sim-model').attributes['gen_ai.usage.input_tokens']).toBe(20);

    const second = tracing();
    const restored = ExecutionState.fromSnapshot(state.toSnapshot(), {
      tracing: second.tracing,
    });
    const r = await restored.run(pipeline, {});
    expect(r).toMatchObject({ ok: true, result: 'published draft' });
    expect(server.requests).toHaveLength(1);
    expect(second.rec.tree()).toBe(
      ['invoke_agent Pipeline', '  chat sim-model', '  execute_tool Publish'].join('\n'),
    );
    const chat = second.rec.span('chat sim-model');
    expect(chat.attributes).toMatchObject({
      'rh.status': 'recovered',
      'rh.attempts': 0,
      'rh.state_id': state.stateId,
      'gen_ai.request.model': 'sim-model',
      'gen_ai.response.model': 'sim-model',
    });
    expect(chat.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(chat.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    expect(chat.status.code).toBe(SpanStatusCode.UNSET);
    expect(second.rec.span('execute_tool Publish').attributes['rh.status']).toBe('completed');
  });
});
