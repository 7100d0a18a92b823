/**
 * The live view: serve a web page that shows a pipeline while it runs (groups filling up, the
 * tree of runs, token usage, the timeline), then open the printed URL in a browser.
 *
 *   npx tsx examples/live-view.ts          # on a terminal: keeps the page up until Ctrl-C
 *   npx tsx examples/live-view.ts | cat    # not a terminal: exits when the run ends
 *
 * The pipeline: an agent fetches 24 documents in parallel (two are missing, one fails once and
 * is retried), then summarizes them 6 at a time with an LLM that reports its token usage.
 */
import { z } from 'zod';
import { Agent, ExecutionState, LLM, Tool } from '../src/index.js';
import { serveLiveView } from '../src/live/index.js';

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

interface Doc {
  id: number;
  text: string;
}

const MISSING = new Set([7, 19]);
let flakyCalls = 0;

const fetchDoc = new Tool({
  name: 'FetchDoc',
  description: 'Loads one document',
  inputSchema: z.object({ id: z.number().int() }),
  retry: { maxAttempts: 2, initialDelayMs: 50 },
  handler: async ({ id }, _context, state): Promise<Doc> => {
    await sleep(40 + ((id * 37) % 120), state.signal);
    if (MISSING.has(id)) throw new Error(`HTTP 404: document ${id} does not exist`);
    if (id === 3 && flakyCalls++ === 0) throw new Error('ECONNRESET: connection reset by peer');
    return { id, text: `Document ${id} `.repeat(20 + id) };
  },
});

const summarize = new LLM({
  name: 'Summarize',
  description: 'Summarizes one document (a stand-in for a model call)',
  inputSchema: z.object({ text: z.string() }),
  handler: async ({ text }) => {
    await sleep(60);
    const inputTokens = Math.ceil(text.length / 4);
    return {
      summary: text.slice(0, 24),
      usage: { inputTokens, outputTokens: 12, totalTokens: inputTokens + 12 },
    };
  },
});

const research = new Agent({
  name: 'Research',
  description: 'Fetches the documents in parallel, then summarizes the ones it got',
  inputSchema: z.object({ topic: z.string() }),
  handler: async ({ topic }, _context, state) => {
    const docs = await state.parallel<Doc>({ name: 'Documents', maxWorkers: 6 }, (p) => {
      for (let id = 0; id < 24; id++) p.add(state.run(fetchDoc, { id }), `doc-${id}`);
    });
    const found = docs.flatMap((r) => (r.ok ? [r.result] : []));
    state.log(`${docs.length - found.length} documents are missing`, 'warning', { topic });
    const summaries = await state.parallel({ name: 'Summaries', maxWorkers: 6 }, (p) => {
      for (const doc of found) p.add(state.run(summarize, { text: doc.text }));
    });
    return { topic, summaries: summaries.filter((r) => r.ok).length };
  },
});

const state = new ExecutionState();
const view = await serveLiveView({ eventBus: state.eventBus });
console.log(`Live view: ${view.url}`);

const outcome = await state.run(research, { topic: 'parallel agents' });
console.log(`Research: ${outcome.ok ? JSON.stringify(outcome.result) : outcome.errorMessage}`);

const parallelRuns = state.history.events.filter((e) => e.status === 'completed' && e.isParallel);
const tokens = state.history.events
  .filter((e) => e.status === 'completed' && e.actor.name === 'Summarize')
  .reduce((sum, e) => sum + (e.result as { usage: { totalTokens: number } }).usage.totalTokens, 0);
console.log(`${parallelRuns.length} parallel runs completed, ${tokens} tokens`);
console.log(`${view.eventCount} events served`);

if (process.stdout.isTTY) {
  console.log('The page stays up: press Ctrl-C to stop.');
  process.once('SIGINT', () => void view.close());
} else {
  await view.close();
  console.log('Live view closed.');
}
