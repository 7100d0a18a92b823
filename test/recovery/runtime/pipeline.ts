/**
 * The program the replay tests run twice (once on a fresh state, once on the restored one): an
 * agent that fans documents out to a parallel group; each branch fetches its document, splits it
 * into parts summarized by a nested group, then merges. Every handler counts its calls.
 */
import { z } from 'zod';
import { Agent, type ExecutionState, Tool } from '../../../src/index.js';
import { sleep } from './helpers.js';

export interface PipelineOptions {
  docs?: number;
  parts?: number;
  /** Whether `Fetch` of a document fails (checked on each call). */
  failFetch?: (id: number) => boolean;
  /** Whether `Part` of a document's part fails. */
  failPart?: (id: number, part: number) => boolean;
  /** Milliseconds each `Fetch` takes. */
  fetchMs?: (id: number) => number;
}

export function pipeline(options: PipelineOptions = {}) {
  const { docs = 4, parts = 2 } = options;
  const calls: string[] = [];
  const opts = { ...options };
  const fetch = new Tool({
    name: 'Fetch',
    inputSchema: z.object({ id: z.number() }),
    retry: { enabled: false },
    handler: async ({ id }, _context, state) => {
      calls.push(`Fetch ${id}`);
      await sleep(opts.fetchMs?.(id) ?? 1, state.signal);
      if (opts.failFetch?.(id)) throw new Error(`document ${id} is unreachable`);
      return { id, text: `doc ${id}` };
    },
  });
  const part = new Tool({
    name: 'Part',
    inputSchema: z.object({ id: z.number(), part: z.number() }),
    retry: { enabled: false },
    handler: async ({ id, part: n }) => {
      calls.push(`Part ${id}.${n}`);
      if (opts.failPart?.(id, n)) throw new Error(`part ${id}.${n} is garbled`);
      return `summary ${id}.${n}`;
    },
  });
  const merge = new Tool({
    name: 'Merge',
    inputSchema: z.object({ id: z.number(), summaries: z.array(z.string()) }),
    retry: { enabled: false },
    handler: async ({ id, summaries }) => {
      calls.push(`Merge ${id}`);
      return `${id}: ${summaries.join(' + ')}`;
    },
  });
  /** One document: fetch, summarize its parts in a nested group, merge. */
  const document = async (state: ExecutionState, id: number): Promise<string> => {
    const fetched = await state.run(fetch, { id });
    if (!fetched.ok) throw new Error(fetched.errorMessage);
    const summaries = await state.parallel<string>({ name: 'Parts', maxWorkers: 2 }, (p) => {
      for (let n = 0; n < parts; n++) p.add(state.run(part, { id, part: n }));
    });
    const failed = summaries.find((s) => !s.ok);
    if (failed) throw new Error(failed.errorMessage);
    const merged = await state.run(merge, { id, summaries: summaries.map((s) => s.result ?? '') });
    if (!merged.ok) throw new Error(merged.errorMessage);
    return merged.result as string;
  };
  const agent = new Agent({
    name: 'Pipeline',
    inputSchema: z.object({}),
    handler: async (_input, _context, state) => {
      calls.push('Pipeline');
      const results = await state.parallel<string>({ name: 'Docs', maxWorkers: 3 }, (p) => {
        for (let id = 0; id < docs; id++) p.add(() => document(state, id), `doc${id}`);
      });
      const failed = results.filter((r) => !r.ok).length;
      if (failed > 0) throw new Error(`${failed} of ${docs} documents failed`);
      return results.map((r) => r.result);
    },
  });
  return { agent, calls, options: opts };
}
