/**
 * A `ToolAgent`: the model asks for several tools at once, and those calls run as one parallel
 * group of Tool runs (addressed, retried, shown by the printer like any run). A tool that fails
 * goes back to the model as an error result. The model is a simulated OpenAI-compatible server
 * started here on loopback: it calls every offered tool in one step, then sums up the results.
 *
 *   npx tsx examples/tool-agent.ts
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { z } from 'zod';
import { startSimulatedOpenAI } from '../simulator/openai-server.js';
import { ChatLLM, ToolAgent } from '../src/ai/index.js';
import { EventPrinter, ExecutionState, Tool } from '../src/index.js';

const server = await startSimulatedOpenAI({ latencyMs: [30, 80] });
const provider = createOpenAICompatible({
  name: 'simulated',
  baseURL: server.url,
  includeUsage: true,
});

const documents: Record<string, string> = {
  intro: 'rh-agents runs actors as addressed, observable, resumable events.',
  parallel: 'Independent runs go in parallel groups with real concurrency control.',
  limits: 'An adaptive limiter lowers concurrency on 429s and honours Retry-After.',
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), {
      once: true,
    });
  });

const spans: { id: string; start: number; end: number }[] = [];
const readDoc = new Tool({
  name: 'ReadDoc',
  description: 'Reads one document by id',
  // The model sees this schema as JSON Schema; the simulated model calls once per enum value.
  inputSchema: z.object({ id: z.enum(['intro', 'parallel', 'limits', 'missing']) }),
  retry: { maxAttempts: 2, initialDelayMs: 20 },
  handler: async ({ id }, _context, state) => {
    const start = performance.now();
    await sleep(150, state.signal);
    spans.push({ id, start, end: performance.now() });
    const text = documents[id];
    if (text === undefined) throw new Error(`no document '${id}'`);
    return { id, text };
  },
});

const agent = new ToolAgent({
  name: 'Researcher',
  llm: new ChatLLM({
    name: 'Model',
    model: provider('sim-agent'),
    system: 'Read, then summarise.',
  }),
  tools: [readDoc],
  maxSteps: 4,
  parallel: { maxWorkers: 4 },
});

const state = new ExecutionState();
state.eventBus.subscribe(new EventPrinter({ color: false }));
const result = await state.run(agent, { prompt: 'Summarise the documents.' });
await state.eventBus.drain();

if (result.ok) {
  const { steps, toolCalls, usage, text } = result.result;
  console.log(`\n${steps.length} model steps, ${toolCalls.length} tool calls in step 1`);
  for (const r of steps[0]?.toolResults ?? [])
    console.log(
      `  ${r.toolName}(${JSON.stringify(toolCalls.find((c) => c.toolCallId === r.toolCallId)?.input)}) -> ${r.ok ? 'ok' : `error: ${r.error}`}`,
    );
  // The three documents that exist were read at the same time: all started before any ended.
  const read = spans.filter((s) => documents[s.id] !== undefined);
  const overlap = Math.max(...read.map((s) => s.start)) < Math.min(...read.map((s) => s.end));
  console.log(`the tool calls overlapped in time: ${overlap}`);
  const groups = new Set(
    state.history.events.filter((e) => e.actor.name === 'ReadDoc').map((e) => e.groupId),
  );
  console.log(`they ran as ${groups.size} parallel group: ${[...groups].join(', ')}`);
  console.log(`answer: ${text}`);
  console.log(`usage over both steps: ${usage.totalTokens} tokens`);
} else {
  console.log(`failed: ${result.errorMessage}`);
}

// The step limit: a model that never stops asking for tools.
const looping = await startSimulatedOpenAI({
  script: () => ({ toolCalls: [{ name: 'ReadDoc', arguments: { id: 'intro' } }] }),
});
const stubborn = new ToolAgent({
  name: 'Stubborn',
  llm: new ChatLLM({
    name: 'Model',
    model: createOpenAICompatible({ name: 'loop', baseURL: looping.url })('sim'),
  }),
  tools: [readDoc],
  maxSteps: 2,
});
const stopped = await new ExecutionState().run(stubborn, { prompt: 'Read forever' });
console.log(
  `step limit -> ${stopped.ok ? 'ok' : `${(stopped.error as Error).name}: ${stopped.errorMessage}`}`,
);
await Promise.all([server.close(), looping.close()]);
