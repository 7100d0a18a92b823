/**
 * ParallelEventPrinter on a realistic group: an agent fetches 40 documents in parallel (6 at a
 * time, 20–300 ms each), two of them fail for good, one fails once and is retried by the group
 * (`maxRetries`), then an LLM call summarizes what came back.
 *
 *   npx tsx examples/parallel-with-printer.ts            # realtime, progress, collapsed in turn
 *   npx tsx examples/parallel-with-printer.ts progress   # one mode
 *
 * On a terminal, progress mode redraws its bar in place; piped (`| cat`), it writes a few
 * milestone lines instead, with no escape sequences.
 */
import { z } from 'zod';
import {
  Agent,
  ExecutionState,
  LLM,
  ParallelDisplayMode,
  ParallelEventPrinter,
  Tool,
} from '../src/index.js';

const DOCUMENTS = 40;
const MISSING = new Set([13, 27]);
const FLAKY = 8;

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** A latency between 20 and 300 ms that looks random but is the same on every run. */
const latencyOf = (id: number): number => 20 + ((id * 7919) % 281);

const flakyAttempts = new Map<number, number>();

interface Doc {
  id: number;
  words: number;
}

const fetchDoc = new Tool({
  name: 'FetchDoc',
  description: 'Loads one document',
  inputSchema: z.object({ id: z.number().int() }),
  // The group retries failed tasks (maxRetries below), so the tool itself does not.
  retry: { enabled: false },
  handler: async ({ id }, _context, state): Promise<Doc> => {
    await sleep(latencyOf(id), state.signal);
    if (MISSING.has(id)) throw new Error(`HTTP 404: document ${id} does not exist`);
    if (id === FLAKY) {
      const attempt = (flakyAttempts.get(id) ?? 0) + 1;
      flakyAttempts.set(id, attempt);
      if (attempt === 1) throw new Error('ECONNRESET: connection reset by peer');
    }
    return { id, words: 200 + ((id * 31) % 900) };
  },
});

const summarize = new LLM({
  name: 'Summarize',
  description: 'Summarizes the fetched documents',
  inputSchema: z.object({ words: z.number() }),
  handler: async ({ words }) => {
    await sleep(80);
    return `A summary of ${words} words.`;
  },
});

const research = new Agent({
  name: 'Research',
  description: 'Fetches every document in parallel, then summarizes them',
  inputSchema: z.object({ topic: z.string() }),
  handler: async (_input, _context, state) => {
    const results = await state.parallel<Doc>(
      { name: 'Documents', maxWorkers: 6, maxRetries: 1, retryDelayMs: 100 },
      (p) => {
        for (let id = 0; id < DOCUMENTS; id++)
          p.add(() => state.run(fetchDoc, { id }), `doc-${id}`);
      },
    );
    const words = results.reduce((sum, r) => sum + (r.ok ? (r.result?.words ?? 0) : 0), 0);
    const summary = await state.run(summarize, { words });
    return { fetched: results.filter((r) => r.ok).length, summary: summary.result };
  },
});

async function show(mode: ParallelDisplayMode): Promise<void> {
  process.stdout.write(`\n=== ParallelEventPrinter, mode '${mode}' ===\n`);
  flakyAttempts.clear();
  const state = new ExecutionState();
  const printer = new ParallelEventPrinter({ mode });
  state.eventBus.subscribe(printer);
  await state.run(research, { topic: 'parallel agents' });
  printer.printSummary();
}

const modes = Object.values(ParallelDisplayMode);
const wanted = process.argv[2];
if (wanted !== undefined && !modes.includes(wanted as ParallelDisplayMode)) {
  console.error(`Unknown mode '${wanted}'; expected one of ${modes.join(', ')}.`);
  process.exit(1);
}
for (const mode of wanted ? [wanted as ParallelDisplayMode] : modes) await show(mode);
