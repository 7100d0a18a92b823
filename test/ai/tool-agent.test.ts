/** ToolAgent against the simulated OpenAI-compatible server, over real HTTP. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ChatLLM,
  ModelCallError,
  StepLimitError,
  ToolAgent,
  type ToolAgentOptions,
} from '../../src/ai/index.js';
import type { ChatCompletionRequest } from '../../simulator/openai-server.js';
import { Agent, ErrorStrategy, ExecutionState, Tool } from '../../src/index.js';
import { collect, fastRetry, records, simulated } from './helpers.js';
import { sleep } from '../helpers/sleep.js';

/** A tool that takes 80 ms and records when it ran. */
function readDoc(log: { id: string; start: number; end: number }[] = []) {
  return new Tool({
    name: 'ReadDoc',
    description: 'Reads one document by id',
    inputSchema: z.object({ id: z.enum(['a', 'b', 'c']) }),
    retry: { enabled: false },
    handler: async ({ id }) => {
      const start = performance.now();
      await sleep(80);
      if (id === 'b') throw new Error('document b is locked');
      log.push({ id, start, end: performance.now() });
      return { id, text: `contents of ${id}` };
    },
  });
}

const toolMessages = (body: ChatCompletionRequest | undefined) =>
  (body?.messages ?? []).filter((m) => m.role === 'tool');

describe('ToolAgent', () => {
  it('runs the tool calls of one model step as one parallel group, overlapping in time', async () => {
    const { server, model } = await simulated();
    const log: { id: string; start: number; end: number }[] = [];
    const writer = new ChatLLM({ name: 'Writer', model });
    const agent = new ToolAgent({ name: 'Researcher', llm: writer, tools: [readDoc(log)] });
    const state = new ExecutionState();
    const events = collect(state);
    const r = await state.run(agent, { prompt: 'Read every document' });
    expect(r.ok).toBe(true);

    // The model saw the tool with the zod schema as JSON Schema, and no execute (we ran it).
    expect(server.requests[0]?.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'ReadDoc',
          description: 'Reads one document by id',
          parameters: {
            $schema: expect.any(String),
            type: 'object',
            properties: { id: { type: 'string', enum: ['a', 'b', 'c'] } },
            required: ['id'],
            additionalProperties: false,
          },
        },
      },
    ]);
    // a and c ran at the same time (b failed).
    const [a, c] = log;
    expect(a!.start).toBeLessThan(c!.end);
    expect(c!.start).toBeLessThan(a!.end);

    const tools = records(events).filter(
      (e) => e.actor.name === 'ReadDoc' && e.status === 'started',
    );
    expect(tools.map((e) => e.address)).toEqual([
      'Researcher::Tools[0]::ReadDoc::tool_call',
      'Researcher::Tools[1]::ReadDoc::tool_call',
      'Researcher::Tools[2]::ReadDoc::tool_call',
    ]);
    const groupIds = new Set(tools.map((e) => e.groupId));
    expect(groupIds.size).toBe(1);
    expect(tools.every((e) => e.isParallel)).toBe(true);
    expect(tools.map((e) => e.parallelIndex)).toEqual([0, 1, 2]);
    const group = events.find((e) => e.kind === 'group' && e.type === 'started');
    expect(group).toMatchObject({ name: 'Tools', total: 3, groupId: [...groupIds][0] });
    expect(
      records(events)
        .filter((e) => e.actor.name === 'Writer' && e.status === 'completed')
        .map((e) => e.address),
    ).toEqual(['Researcher::Writer::llm_call', 'Researcher::Writer#2::llm_call']);
  });

  it('feeds a tool failure back to the model as an error result and goes on', async () => {
    const { server, model } = await simulated();
    const agent = new ToolAgent({
      name: 'Researcher',
      llm: new ChatLLM({ name: 'Writer', model }),
      tools: [readDoc()],
    });
    const r = await new ExecutionState().run(agent, { prompt: 'Read' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.result.steps).toHaveLength(2);
    expect(r.result.steps[0]?.toolResults).toEqual([
      {
        toolCallId: 'call_0_0',
        toolName: 'ReadDoc',
        ok: true,
        output: { id: 'a', text: 'contents of a' },
      },
      { toolCallId: 'call_0_1', toolName: 'ReadDoc', ok: false, error: 'document b is locked' },
      {
        toolCallId: 'call_0_2',
        toolName: 'ReadDoc',
        ok: true,
        output: { id: 'c', text: 'contents of c' },
      },
    ]);
    const second = server.requests[1]?.body;
    expect(second?.messages[1]).toMatchObject({
      role: 'assistant',
      tool_calls: [
        { id: 'call_0_0', function: { name: 'ReadDoc', arguments: '{"id":"a"}' } },
        { id: 'call_0_1' },
        { id: 'call_0_2' },
      ],
    });
    expect(toolMessages(second)).toEqual([
      { role: 'tool', tool_call_id: 'call_0_0', content: '{"id":"a","text":"contents of a"}' },
      { role: 'tool', tool_call_id: 'call_0_1', content: 'document b is locked' },
      { role: 'tool', tool_call_id: 'call_0_2', content: '{"id":"c","text":"contents of c"}' },
    ]);
    expect(r.result.text).toBe(
      'Summary of 3 tool results: {"id":"a","text":"contents of a"} | document b is locked | {"id":"c","text":"contents of c"}',
    );
    expect(r.result.toolCalls.map((c) => c.input)).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    expect(r.result.usage.totalTokens).toBe(
      r.result.steps[0]!.usage.totalTokens + r.result.steps[1]!.usage.totalTokens,
    );
    expect(r.result.usage.totalTokens).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(r.result))).toEqual(r.result);
  });

  it('answers a call of an unknown tool, bad arguments and a non-JSON result with error results', async () => {
    const { server, model } = await simulated({
      script: (body) =>
        toolMessages(body).length > 0
          ? { text: 'done' }
          : {
              toolCalls: [
                { name: 'Nope', arguments: {} },
                { name: 'ReadDoc', arguments: { id: 'zzz' } },
                { name: 'Weird', arguments: {} },
                { name: 'Echo', arguments: 'not json' },
              ],
            },
    });
    const weird = new Tool({
      name: 'Weird',
      inputSchema: z.object({}),
      handler: () => ({ big: 1n }),
    });
    const echo = new Tool({ name: 'Echo', inputSchema: z.string(), handler: (s) => s });
    const agent = new ToolAgent({
      name: 'A',
      llm: new ChatLLM({ name: 'L', model }),
      tools: [readDoc(), weird, echo],
    });
    const r = await new ExecutionState().run(agent, { prompt: 'x' });
    expect(r.ok).toBe(true);
    const results = r.result!.steps[0]!.toolResults;
    expect(results[0]).toEqual({
      toolCallId: 'call_0_0',
      toolName: 'Nope',
      ok: false,
      error: 'Unknown tool "Nope"; the tools are: ReadDoc, Weird, Echo.',
    });
    expect(results[1]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Invalid input for ReadDoc: `id`/),
    });
    expect(results[2]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^The result of tool 'Weird' is not JSON/),
    });
    // Arguments that are not JSON reach the tool as the raw text.
    expect(results[3]).toEqual({
      toolCallId: 'call_0_3',
      toolName: 'Echo',
      ok: true,
      output: 'not json',
    });
    expect(toolMessages(server.requests[1]?.body)).toHaveLength(4);
  });

  it('fails with a StepLimitError after maxSteps model calls that still ask for tools', async () => {
    const { server, model } = await simulated({
      script: () => ({ toolCalls: [{ name: 'ReadDoc', arguments: { id: 'a' } }] }),
    });
    const agent = new ToolAgent({
      name: 'Looper',
      llm: new ChatLLM({ name: 'L', model }),
      tools: [readDoc()],
      maxSteps: 3,
    });
    const r = await new ExecutionState().run(agent, { prompt: 'x' });
    expect(r.ok).toBe(false);
    expect(r.error).toBeInstanceOf(StepLimitError);
    expect(r.errorMessage).toBe(
      'Looper reached maxSteps (3) model calls and the model still asked for tools (ReadDoc); raise maxSteps, or give the model a task it can finish in fewer steps.',
    );
    expect(server.requests).toHaveLength(3);
  });

  it('fails naming the model call that failed after its retries', async () => {
    const { server, model } = await simulated({
      script: (body) =>
        toolMessages(body).length > 0 ? { status: 500, message: 'model down' } : undefined,
    });
    const agent = new ToolAgent({
      name: 'R',
      llm: new ChatLLM({ name: 'W', model, retry: { ...fastRetry, maxAttempts: 2 } }),
      tools: [readDoc()],
    });
    const r = await new ExecutionState().run(agent, { prompt: 'x' });
    expect(r.ok).toBe(false);
    expect(r.error).toBeInstanceOf(ModelCallError);
    expect(r.errorMessage).toBe(
      'R: model call 2 (R::W#2::llm_call) failed: model down (after 2 attempts)',
    );
    expect((r.error as ModelCallError).address).toBe('R::W#2::llm_call');
    expect((r.error as ModelCallError).cause).toMatchObject({ statusCode: 500 });
    expect(server.requests).toHaveLength(3);
  });

  it('gives the final structured object of its llm, and takes messages', async () => {
    const { model } = await simulated();
    const llm = new ChatLLM({ name: 'W', model, outputSchema: z.object({ summary: z.string() }) });
    const agent = new ToolAgent({ name: 'R', llm, tools: [readDoc()] });
    const r = await new ExecutionState().run(agent, {
      messages: [{ role: 'user', content: 'Summarise the documents' }],
    });
    expect(r.result?.object).toEqual({
      summary: expect.stringMatching(/^Summary of 3 tool results/),
    });
  });

  it('answers without tools when the model calls none, and works with no tools at all', async () => {
    const { server, model } = await simulated();
    const agent = new ToolAgent({
      name: 'Plain',
      llm: new ChatLLM({ name: 'W', model }),
      tools: [],
    });
    const r = await new ExecutionState().run(agent, { prompt: 'Hi' });
    expect(r.result).toEqual({
      text: 'Simulated answer to: Hi',
      steps: [
        {
          text: 'Simulated answer to: Hi',
          toolCalls: [],
          toolResults: [],
          usage: expect.any(Object),
        },
      ],
      usage: r.result?.steps[0]?.usage,
      toolCalls: [],
    });
    expect(server.requests[0]?.body.tools).toBeUndefined();
  });

  it('under fail_fast, a failing tool cancels its siblings, which go back to the model as errors', async () => {
    const { model } = await simulated();
    const slow = new Tool({
      name: 'Slow',
      inputSchema: z.object({ n: z.enum(['1', '2']) }),
      handler: async ({ n }, _c, state) => {
        if (n === '1') throw new Error('first failed');
        await sleep(2000, state.signal);
        return 'late';
      },
    });
    const agent = new ToolAgent({
      name: 'FF',
      llm: new ChatLLM({ name: 'W', model }),
      tools: [slow],
      parallel: { maxWorkers: 2, errorStrategy: ErrorStrategy.FAIL_FAST },
    });
    const started = performance.now();
    const r = await new ExecutionState({ defaultRetry: { enabled: false } }).run(agent, {
      prompt: 'x',
    });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(r.result?.steps[0]?.toolResults.map((t) => t.ok)).toEqual([false, false]);
    expect(r.result?.steps[0]?.toolResults[0]).toMatchObject({ error: 'first failed' });
  });

  it('takes an Agent as a tool (a sub-agent)', async () => {
    const { model } = await simulated({
      script: (body) =>
        toolMessages(body).length > 0
          ? { text: 'ok' }
          : { toolCalls: [{ name: 'Sub', arguments: { q: 'go' } }] },
    });
    const sub = new Agent({
      name: 'Sub',
      inputSchema: z.object({ q: z.string() }),
      handler: ({ q }) => `sub did ${q}`,
    });
    const agent = new ToolAgent({
      name: 'Top',
      llm: new ChatLLM({ name: 'W', model }),
      tools: [sub],
    });
    const state = new ExecutionState();
    const r = await state.run(agent, { prompt: 'x' });
    expect(r.result?.steps[0]?.toolResults[0]).toMatchObject({ ok: true, output: 'sub did go' });
    expect(state.history.hasCompleted('Top::Tools[0]::Sub::agent_call')).toBe(true);
  });
});

describe('ToolAgent bad options', () => {
  const base = async () => {
    const { model } = await simulated();
    return {
      name: 'R',
      llm: new ChatLLM({ name: 'W', model }),
      tools: [readDoc()],
    } as ToolAgentOptions;
  };
  const bad: [string, (o: ToolAgentOptions) => unknown, RegExp | string][] = [
    [
      'maxSteps 0',
      (o) => ({ ...o, maxSteps: 0 }),
      "ToolAgent 'R': expected `maxSteps` to be a whole number from 1 up, got `0` (number).",
    ],
    ['maxSteps NaN', (o) => ({ ...o, maxSteps: NaN }), /`maxSteps`.*`NaN`/],
    [
      'a tool name providers refuse',
      (o) => ({
        ...o,
        tools: [new Tool({ name: 'Read Doc', inputSchema: z.object({}), handler: () => 1 })],
      }),
      "ToolAgent 'R': the tool name `\"Read Doc\"` (string) (tools[0]) cannot be sent to a model: providers accept only letters, digits, '_' and '-', at most 64 of them. Rename the Tool.",
    ],
    [
      'a name too long',
      (o) => ({
        ...o,
        tools: [new Tool({ name: 'x'.repeat(65), inputSchema: z.object({}), handler: () => 1 })],
      }),
      /cannot be sent to a model/,
    ],
    [
      'two tools with one name',
      (o) => ({ ...o, tools: [readDoc(), readDoc()] }),
      /two tools are named `"ReadDoc"`/,
    ],
    [
      'llm not a ChatLLM',
      (o) => ({ ...o, llm: {} }),
      /expected `llm` to be a ChatLLM \(new ChatLLM\(\{ name, model \}\)\), got `\{\}`/,
    ],
    [
      'tools not an array',
      (o) => ({ ...o, tools: readDoc() }),
      /expected `tools` to be an array of Tools/,
    ],
    [
      'a tool that is not an actor',
      (o) => ({ ...o, tools: [{ name: 'x' }] }),
      /expected `tools\[0\]` to be a Tool/,
    ],
    [
      'parallel maxWorkers 0',
      (o) => ({ ...o, parallel: { maxWorkers: 0 } }),
      /`parallel.maxWorkers` to be a whole number from 1 up or `Infinity`, got `0`/,
    ],
    [
      'parallel errorStrategy',
      (o) => ({ ...o, parallel: { errorStrategy: 'fast' } }),
      /unknown `parallel.errorStrategy` `"fast"`/,
    ],
    [
      'parallel not an object',
      (o) => ({ ...o, parallel: 5 }),
      /`parallel` to be \{ maxWorkers\?, errorStrategy\? \}/,
    ],
    ['parallel typo', (o) => ({ ...o, parallel: { workers: 2 } }), /unknown option `workers`/],
    ['a typo', (o) => ({ ...o, maxStep: 2 }), /unknown option `maxStep`/],
  ];
  it.each(bad)('refuses %s', async (_, change, message) => {
    const options = change(await base()) as ToolAgentOptions;
    expect(() => new ToolAgent(options)).toThrow(message);
  });

  it('refuses a non-object', () => {
    expect(() => new ToolAgent(undefined as unknown as ToolAgentOptions)).toThrow(
      'new ToolAgent(): expected an options object with name, llm and tools, got `undefined` (undefined).',
    );
  });

  it('fails the run when a tool schema cannot be shown to a model as JSON Schema', async () => {
    const options = await base();
    const dated = new Tool({
      name: 'When',
      inputSchema: z.object({ at: z.date() }),
      handler: () => 1,
    });
    const agent = new ToolAgent({ ...options, tools: [dated] });
    const r = await new ExecutionState().run(agent, { prompt: 'x' });
    expect(r.errorMessage).toMatch(
      /^ToolAgent 'R': the input schema of tool 'When' cannot be shown to a model as JSON Schema: /,
    );
  });
});
