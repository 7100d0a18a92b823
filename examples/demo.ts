/**
 * The demo behind `npm start`: a small research pipeline. An agent searches, fetches five
 * documents in parallel (one source is flaky and succeeds on its second attempt), and asks an
 * LLM to summarize them. Everything is printed by `EventPrinter` as it happens.
 */
import { z } from 'zod';
import { Agent, EventPrinter, ExecutionState, LLM, Tool } from '../src/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const search = new Tool({
  name: 'SearchWeb',
  description: 'Finds documents about a topic',
  inputSchema: z.object({ query: z.string().min(1) }),
  handler: async ({ query }) => {
    await sleep(80);
    return ['intro', 'history', 'design', 'benchmarks', 'faq'].map((slug) => `${query}/${slug}`);
  },
});

let flakyCalls = 0;
const fetchDoc = new Tool({
  name: 'FetchDoc',
  description: 'Loads one document',
  inputSchema: z.object({ url: z.string() }),
  // The built-in tool policy retries 3 times from 1000 ms; the demo waits less.
  retry: { maxAttempts: 3, initialDelayMs: 150, jitter: false },
  handler: async ({ url }) => {
    await sleep(60 + url.length * 4);
    if (url.endsWith('/design') && flakyCalls++ === 0)
      throw new Error('503 from the document server');
    return { url, words: url.length * 37 };
  },
});

const summarize = new LLM({
  name: 'Summarize',
  inputSchema: z.object({ documents: z.array(z.object({ url: z.string(), words: z.number() })) }),
  handler: async ({ documents }) => {
    await sleep(120);
    const words = documents.reduce((sum, doc) => sum + doc.words, 0);
    return `${documents.length} documents, ${words} words: parallel agents are fast.`;
  },
});

const pipeline = new Agent({
  name: 'ResearchPipeline',
  inputSchema: z.object({ topic: z.string() }),
  handler: async ({ topic }, _context, state) => {
    const found = await state.run(search, { query: topic });
    if (!found.ok) throw found.error;
    // Fetch every document at once, three at a time.
    const fetched = await state.parallel<{ url: string; words: number }>(
      { name: 'Documents', maxWorkers: 3 },
      (p) => {
        for (const url of found.result ?? []) p.add(state.run(fetchDoc, { url }), url);
      },
    );
    const documents = fetched.flatMap((r) => (r.ok && r.result ? [r.result] : []));
    const summary = await state.run(summarize, { documents });
    if (!summary.ok) throw summary.error;
    return summary.result;
  },
});

const state = new ExecutionState();
const printer = new EventPrinter();
state.eventBus.subscribe(printer);

const result = await state.run(pipeline, { topic: 'rh-agents' });
await state.eventBus.drain();
printer.printSummary();
console.log(result.ok ? `\nResult: ${result.result}` : `\nFailed: ${result.errorMessage}`);
process.exitCode = result.ok ? 0 : 1;
