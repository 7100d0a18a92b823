/** ChatLLM against the simulated OpenAI-compatible server, over real HTTP. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatLLM, type ChatLLMOptions, type ChatModel } from '../../src/ai/index.js';
import { ExecutionState, OutputValidationError } from '../../src/index.js';
import { collect, fastRetry, records, simulated } from './helpers.js';
import { sleep } from '../helpers/sleep.js';

describe('ChatLLM results', () => {
  it('answers a prompt with text, finish reason, usage and response ids (plain JSON)', async () => {
    const { server, model } = await simulated({
      script: () => ({
        text: 'Paris.',
        usage: { promptTokens: 12, completionTokens: 3 },
        id: 'resp-1',
      }),
    });
    const llm = new ChatLLM({
      name: 'Writer',
      model,
      system: 'Answer in one word.',
      temperature: 0.2,
      maxOutputTokens: 50,
    });
    expect(llm.eventType).toBe('llm_call');
    const state = new ExecutionState();
    const r = await state.run(llm, { prompt: 'Capital of France?' });
    expect(r).toMatchObject({ ok: true });
    expect(r.result).toEqual({
      text: 'Paris.',
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15 },
      toolCalls: [],
      response: { id: 'resp-1', modelId: 'sim-model' },
    });
    expect(JSON.parse(JSON.stringify(r.result))).toEqual(r.result);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body).toMatchObject({
      model: 'sim-model',
      temperature: 0.2,
      max_tokens: 50,
      messages: [
        { role: 'system', content: 'Answer in one word.' },
        { role: 'user', content: 'Capital of France?' },
      ],
    });
    expect(server.requests[0]?.body.stream).toBeUndefined();
    expect(state.history.events.map((e) => `${e.address} ${e.status}`)).toEqual([
      'Writer::llm_call started',
      'Writer::llm_call completed',
    ]);
  });

  it('takes a conversation of model messages', async () => {
    const { server, model } = await simulated();
    const llm = new ChatLLM({ name: 'Chat', model });
    const r = await new ExecutionState().run(llm, {
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: [{ type: 'text', text: 'And now?' }] },
      ],
    });
    expect(r.ok && r.result.text).toBe('Simulated answer to: And now?');
    expect(server.requests[0]?.body.messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
    ]);
  });

  it('gives a structured object from a zod outputSchema (response_format with the JSON schema)', async () => {
    const { server, model } = await simulated();
    const schema = z.object({ summary: z.string(), score: z.number().int().min(1).max(5) });
    const llm = new ChatLLM({ name: 'Rater', model, outputSchema: schema });
    expect(llm.objectSchema).toBe(schema);
    expect(llm.outputSchema).toBeUndefined();
    const r = await new ExecutionState().run(llm, { prompt: 'Rate rh-agents' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const object: { summary: string; score: number } | undefined = r.result.object;
    expect(object).toEqual({ summary: 'Simulated answer to: Rate rh-agents', score: 1 });
    expect(r.result.text).toBe(JSON.stringify(object));
    expect(server.requests[0]?.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: {
        name: 'response',
        schema: {
          type: 'object',
          properties: {
            summary: { type: 'string' },
            score: { type: 'integer', minimum: 1, maximum: 5 },
          },
        },
      },
    });
  });

  it('fails with the validation message when the reply does not match outputSchema, without retrying', async () => {
    const { server, model } = await simulated({ script: () => ({ json: { summary: 42 } }) });
    const llm = new ChatLLM({
      name: 'Rater',
      model,
      outputSchema: z.object({ summary: z.string(), score: z.number() }),
    });
    const r = await new ExecutionState().run(llm, { prompt: 'Rate it' });
    expect(r.ok).toBe(false);
    expect(r.error).toBeInstanceOf(OutputValidationError);
    expect(r.errorMessage).toBe(
      "Rater: the model's reply does not match its outputSchema: `summary`: Invalid input: expected string, received number; `score`: Invalid input: expected number, received undefined.",
    );
    expect(server.requests).toHaveLength(1);
  });

  it('fails with the JSON error when the reply is not JSON', async () => {
    const { model } = await simulated({ script: () => ({ text: 'Sure! Here it is: {' }) });
    const llm = new ChatLLM({
      name: 'Rater',
      model,
      outputSchema: z.object({ summary: z.string() }),
    });
    const r = await new ExecutionState().run(llm, { prompt: 'Rate it' });
    expect(r.errorMessage).toMatch(
      /^Rater: the model's reply does not match its outputSchema: the reply is not JSON \(.*\): "Sure! Here it is: \{"\.$/,
    );
  });

  it('fails clearly when the model gives no structured output at all', async () => {
    const { model } = await simulated({ script: () => ({ text: '', finishReason: 'length' }) });
    const llm = new ChatLLM({
      name: 'Rater',
      model,
      outputSchema: z.object({ summary: z.string() }),
    });
    const r = await new ExecutionState().run(llm, { prompt: 'Rate it' });
    expect(r.error).toBeInstanceOf(OutputValidationError);
    expect(r.errorMessage).toBe(
      "Rater: the model returned no structured output (finish reason 'length', no text).",
    );
  });

  it('returns the tool calls the model asks for when given tool declarations', async () => {
    const { server, model } = await simulated({
      script: () => ({
        toolCalls: [
          { name: 'Lookup', arguments: { q: 'rh' } },
          { name: 'Lookup', arguments: '{"q":"ts"}' },
        ],
      }),
    });
    const llm = new ChatLLM({
      name: 'Planner',
      model,
      outputSchema: z.object({ done: z.boolean() }),
    });
    const r = await new ExecutionState().run(llm, {
      prompt: 'Find things',
      tools: [
        {
          name: 'Lookup',
          description: 'Looks up',
          inputSchema: { type: 'object', properties: { q: { type: 'string' } } },
        },
      ],
      toolChoice: 'required',
    });
    expect(r.result).toMatchObject({
      text: '',
      finishReason: 'tool-calls',
      toolCalls: [
        { toolCallId: 'call_0_0', toolName: 'Lookup', input: { q: 'rh' } },
        { toolCallId: 'call_0_1', toolName: 'Lookup', input: { q: 'ts' } },
      ],
    });
    expect(r.result?.object).toBeUndefined();
    expect(server.requests[0]?.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'Lookup', description: 'Looks up' } }],
      tool_choice: 'required',
    });
  });

  it('streams with onTextDelta: the pieces add up to the same result, usage from the last chunk', async () => {
    const { server, model } = await simulated({
      script: () => ({
        text: 'A fairly long streamed answer in several pieces.',
        usage: { promptTokens: 9, completionTokens: 11 },
      }),
    });
    const pieces: string[] = [];
    let sawState = false;
    const state = new ExecutionState();
    const llm = new ChatLLM({
      name: 'Streamer',
      model,
      onTextDelta: (delta, s) => {
        pieces.push(delta);
        sawState = s === state && s.currentAddress === 'Streamer::llm_call';
      },
    });
    const r = await state.run(llm, { prompt: 'Go' });
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    expect(pieces.join('')).toBe('A fairly long streamed answer in several pieces.');
    expect(sawState).toBe(true);
    expect(r.result).toEqual({
      text: 'A fairly long streamed answer in several pieces.',
      finishReason: 'stop',
      usage: { inputTokens: 9, outputTokens: 11, totalTokens: 20 },
      toolCalls: [],
      response: { id: 'chatcmpl-sim-0', modelId: 'sim-model' },
    });
    expect(server.requests[0]?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('streams tool calls and structured output', async () => {
    const { model } = await simulated({
      script: (body) =>
        body.tools
          ? {
              toolCalls: [{ name: 'Lookup', arguments: { q: 'a long query to stream in pieces' } }],
            }
          : { json: { n: 3 } },
    });
    const llm = new ChatLLM({
      name: 'S',
      model,
      outputSchema: z.object({ n: z.number() }),
      onTextDelta: () => {},
    });
    const state = new ExecutionState();
    const withTools = await state.run(llm, {
      prompt: 'x',
      tools: [
        { name: 'Lookup', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } },
      ],
    });
    expect(withTools.result?.toolCalls).toEqual([
      {
        toolCallId: 'call_0_0',
        toolName: 'Lookup',
        input: { q: 'a long query to stream in pieces' },
      },
    ]);
    const structured = await state.run(llm, { prompt: 'y' });
    expect(structured.result?.object).toEqual({ n: 3 });
    const bad = await new ExecutionState().run(
      new ChatLLM({
        name: 'S',
        model,
        outputSchema: z.object({ n: z.string() }),
        onTextDelta: () => {},
      }),
      { prompt: 'y' },
    );
    expect(bad.errorMessage).toBe(
      "S: the model's reply does not match its outputSchema: `n`: Invalid input: expected string, received number.",
    );
  });
});

describe('ChatLLM retries and cancellation', () => {
  it('leaves retries to the run: each attempt is one request on the server', async () => {
    const { server, model } = await simulated({
      script: (_, { index }) =>
        index < 2 ? { status: 500, message: 'boom' } : { text: 'third time' },
    });
    const state = new ExecutionState();
    const llm = new ChatLLM({ name: 'Flaky', model, retry: fastRetry });
    const r = await state.run(llm, { prompt: 'x' });
    expect(r).toMatchObject({ ok: true, result: { text: 'third time' } });
    expect(server.requests.map((q) => q.status)).toEqual([500, 500, 200]);
    expect(state.history.events.map((e) => e.status)).toEqual([
      'started',
      'retrying',
      'retrying',
      'completed',
    ]);
  });

  it('fails after its attempts with the last error, counted on the server', async () => {
    const { server, model } = await simulated({
      script: () => ({ status: 500, message: 'always down' }),
    });
    const r = await new ExecutionState().run(
      new ChatLLM({ name: 'Down', model, retry: { ...fastRetry, maxAttempts: 2 } }),
      { prompt: 'x' },
    );
    expect(r.ok).toBe(false);
    expect(r.errorMessage).toBe('always down (after 2 attempts)');
    expect(r.error).toMatchObject({ statusCode: 500 });
    expect(server.requests).toHaveLength(2);
  });

  it('honours Retry-After: the retry reaches the server no sooner than asked (retry-after-ms)', async () => {
    const { server, model } = await simulated({
      script: (_, { index }) => (index === 0 ? { status: 429, retryAfterMs: 250 } : { text: 'ok' }),
    });
    const state = new ExecutionState();
    const r = await state.run(new ChatLLM({ name: 'Limited', model, retry: fastRetry }), {
      prompt: 'x',
    });
    expect(r.ok).toBe(true);
    const [first, second] = server.requests;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(245);
    expect(state.history.events[1]?.message).toMatch(/retrying in 250 ms/);
  });

  it('honours Retry-After in whole seconds (retry-after only)', async () => {
    const { server, model } = await simulated({
      script: (_, { index }) =>
        index === 0 ? { status: 503, headers: { 'retry-after': '1' } } : { text: 'ok' },
    });
    const r = await new ExecutionState().run(
      new ChatLLM({ name: 'Busy', model, retry: fastRetry }),
      { prompt: 'x' },
    );
    expect(r.ok).toBe(true);
    expect(server.requests[1]!.receivedAt - server.requests[0]!.receivedAt).toBeGreaterThanOrEqual(
      990,
    );
  });

  it('retries a 429 of a streamed call too', async () => {
    const { server, model } = await simulated({
      script: (_, { index }) =>
        index === 0 ? { status: 429, retryAfterMs: 20 } : { text: 'streamed' },
    });
    const r = await new ExecutionState().run(
      new ChatLLM({ name: 'S', model, retry: fastRetry, onTextDelta: () => {} }),
      { prompt: 'x' },
    );
    expect(r.result?.text).toBe('streamed');
    expect(server.requests.map((q) => q.status)).toEqual([429, 200]);
  });

  it('aborts the HTTP request when its group is cancelled', async () => {
    const { server, model } = await simulated({
      script: () => ({ text: 'late', delayMs: 10_000 }),
    });
    const state = new ExecutionState();
    const events = collect(state);
    const llm = new ChatLLM({ name: 'Slow', model });
    const started = performance.now();
    const p = state.parallel({ name: 'G', timeoutMs: 150 });
    p.add(state.run(llm, { prompt: 'x' }));
    await expect(p.gather()).rejects.toThrow(/timed out after 150 ms/);
    await p.settled?.();
    await sleep(50);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(server.requests[0]?.aborted).toBe(true);
    expect(records(events).at(-1)).toMatchObject({
      address: 'G[0]::Slow::llm_call',
      status: 'cancelled',
    });
  });

  it('aborts a streamed request when the state is interrupted', async () => {
    const { server, model } = await simulated({
      script: () => ({ text: 'one two three four five six seven eight', chunkDelayMs: 200 }),
    });
    const state = new ExecutionState();
    const pieces: string[] = [];
    const run = state.run(new ChatLLM({ name: 'S', model, onTextDelta: (d) => pieces.push(d) }), {
      prompt: 'x',
    });
    setTimeout(() => state.requestInterrupt('enough'), 300);
    const r = await run;
    expect(r).toMatchObject({
      ok: false,
      errorMessage: expect.stringMatching(/^Interrupted: enough/),
    });
    expect(state.history.events.at(-1)?.status).toBe('interrupted');
    expect(pieces.length).toBeLessThan(3);
    await sleep(50);
    expect(server.requests[0]?.aborted).toBe(true);
  });
});

describe('ChatLLM bad options and input', () => {
  const make = async (
    overrides: Partial<Record<keyof ChatLLMOptions, unknown>> & Record<string, unknown>,
  ) => {
    const { model } = await simulated();
    return () => new ChatLLM({ name: 'W', model, ...overrides } as ChatLLMOptions);
  };

  it('refuses a model that is not an AI SDK language model, saying what to pass', async () => {
    expect(await make({ model: 'gpt-4o-mini' })).toThrow(
      "ChatLLM 'W': expected `model` to be an AI SDK language model, e.g. createOpenAICompatible({ name, baseURL })('model-id'), got `\"gpt-4o-mini\"` (string). A model id alone needs the AI Gateway: pass gateway(\"gpt-4o-mini\") from 'ai', or a provider's model.",
    );
    expect(await make({ model: { specificationVersion: 'v1', doGenerate() {} } })).toThrow(
      /older AI SDK provider \(specification v1\)/,
    );
    expect(await make({ model: {} })).toThrow(
      /expected `model` to be an AI SDK language model.*got `\{\}` \(object\)\.$/,
    );
    expect(await make({ model: undefined })).toThrow(/got `undefined` \(undefined\)/);
  });

  it('refuses other bad options with the option and value named', async () => {
    expect(await make({ temperature: NaN })).toThrow(
      "ChatLLM 'W': expected `temperature` to be a finite number 0 or more, got `NaN` (number).",
    );
    expect(await make({ maxOutputTokens: 0 })).toThrow(
      /`maxOutputTokens` to be a whole number from 1 up, got `0`/,
    );
    expect(await make({ outputSchema: { type: 'object' } })).toThrow(
      /`outputSchema` to be a zod schema/,
    );
    expect(await make({ onTextDelta: 'yes' })).toThrow(
      /`onTextDelta` to be a function, got `"yes"` \(string\)/,
    );
    expect(await make({ system: 3 })).toThrow(/`system` to be a string, got `3` \(number\)/);
    expect(await make({ providerOptions: 'x' })).toThrow(
      /`providerOptions` to be an object keyed by provider/,
    );
    expect(await make({ sytem: 'x' })).toThrow(/unknown option `sytem`/);
    expect(await make({ name: 'a:b' })).toThrow(
      /new ChatLLM\(\): expected `name` to be a non-empty string without ':'/,
    );
    expect(() => new ChatLLM(null as unknown as ChatLLMOptions)).toThrow(
      'new ChatLLM(): expected an options object with name and model, got `null` (null).',
    );
  });

  it('fails a run whose input has neither or both of prompt and messages, or a bad tool name', async () => {
    const { server, model } = await simulated();
    const llm = new ChatLLM({ name: 'W', model: model as ChatModel });
    const state = new ExecutionState();
    const run = (input: unknown) => state.run(llm, input as { prompt: string });
    expect((await run({})).errorMessage).toBe(
      'Invalid input for W: `(input)`: expected `prompt` (a string) or `messages` (AI SDK model messages), got neither. The handler was not called; pass input that matches its inputSchema.',
    );
    expect(
      (await run({ prompt: 'a', messages: [{ role: 'user', content: 'b' }] })).errorMessage,
    ).toMatch(/`prompt` or `messages`, not both/);
    expect(
      (await run({ prompt: 'a', tools: [{ name: 'has space', inputSchema: {} }] })).errorMessage,
    ).toMatch(
      /`tools\.0\.name`: a tool name has only letters, digits, '_' and '-', at most 64 of them/,
    );
    expect((await run({ messages: [{ role: 'wizard', content: 'b' }] })).errorMessage).toMatch(
      /Invalid input for W: `messages\.0`/,
    );
    expect(server.requests).toHaveLength(0);
  });
});
