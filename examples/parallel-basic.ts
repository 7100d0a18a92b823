/**
 * Parallel execution, the basics: run independent tool calls at once, at most `maxWorkers` at a
 * time, and get their results back in the order you added them.
 *
 *   npx tsx examples/parallel-basic.ts
 */
import { z } from 'zod';
import { ExecutionEvent, ExecutionState, Tool } from '../src/index.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A tool that pretends to download a page: 100 to 300 ms, depending on the URL. */
const fetchPage = new Tool({
  name: 'FetchPage',
  description: 'Downloads one web page',
  inputSchema: z.object({ url: z.string().url() }),
  handler: async ({ url }) => {
    await sleep(100 + (url.length % 5) * 50);
    return { url, bytes: url.length * 1024 };
  },
});

const countWords = new Tool({
  name: 'CountWords',
  description: 'Counts the words of a text',
  inputSchema: z.object({ text: z.string() }),
  handler: ({ text }) => text.split(/\s+/).filter(Boolean).length,
});

const urls = [
  'https://example.com/a',
  'https://example.com/about',
  'https://example.com/blog',
  'https://example.com/contact',
  'https://example.com/docs/start',
  'https://example.com/pricing',
];

const state = new ExecutionState();
const fetchEvent = new ExecutionEvent({ actor: fetchPage, tag: 'crawl' });

// 1. `await using`: the group is gathered (if you did not) and awaited when the block ends.
{
  const started = performance.now();
  await using p = state.parallel<{ url: string; bytes: number }>({ name: 'Pages', maxWorkers: 3 });
  // A lazy run: nothing starts until the group gives it a worker.
  for (const url of urls) p.add(fetchEvent.run({ url }, undefined, state), url);
  const results = await p.gather(); // in add order, whatever the finishing order
  const ms = performance.now() - started;
  console.log(
    `Fetched ${results.length} pages with 3 workers in ~${Math.round(ms / 100) * 100} ms:`,
  );
  for (const r of results)
    console.log(`  [${r.index}] ${r.name}: ${r.ok ? `${r.result?.bytes} bytes` : r.errorMessage}`);
  console.log(`Group ${p.groupId}: ${p.group.completed} completed, ${p.group.failed} failed`);
}

// 2. The callback form: gathers when the callback returns, and returns the results.
const counts = await state.parallel<number>({ name: 'Words', maxWorkers: 2 }, (p) => {
  p.add(() => state.run(countWords, { text: 'the quick brown fox' }), 'fox');
  p.add(() => state.run(countWords, { text: 'jumps over the lazy dog' }), 'dog');
  // Plain async functions work too; they receive { signal, index, name, attempt }.
  p.add(async ({ index }) => index * 100, 'plain');
});
console.log('Word counts:', counts.map((r) => `${r.name}=${r.result}`).join(', '));

// 3. gatherDict(): the results keyed by task name (or by index for unnamed tasks).
{
  await using p = state.parallel<number>({ name: 'Squares' });
  for (const n of [2, 3, 4]) p.add(async () => n * n, `square-of-${n}`);
  p.add(async () => 0); // unnamed: keyed '3'
  const byName = await p.gatherDict();
  console.log(
    `Squares by name: square-of-3=${byName['square-of-3']?.result}, unnamed '3'=${byName['3']?.result}`,
  );
}

// Every run inside a branch is addressed and tagged with its group.
const record = state.history.get('Pages[4]::FetchPage::tool_call');
console.log(
  `Recorded: ${record?.address} ${record?.status} (group ${record?.groupId}, branch ${record?.parallelIndex}, tag ${record?.tag})`,
);

const metrics = state.metrics();
console.log(
  `Metrics: ${metrics.groups.total} groups, ${metrics.tasks.completed} tasks completed, peak concurrency ${metrics.peakConcurrency}`,
);
