/**
 * The demo's pipeline, an `Agent` named Research:
 *
 * 1. `Researchers`: a parallel group of three `ToolAgent`s, one per topic. Each asks the model,
 *    which calls the `ReadDoc` tool once per document in one step: those calls run as a parallel
 *    group of Tool runs (`Researcher::Tools[i]::ReadDoc`). Then the model writes notes.
 * 2. `Summaries`: a parallel group of twelve `ChatLLM` calls, one per document, 8 at a time.
 * 3. `Writer`: one `ChatLLM` call that writes the brief from the notes.
 *
 * Every model call shares one `AdaptiveLimiter`: at most its current concurrency of them are in
 * flight, fewer after a 429.
 */
import { z } from 'zod';
import { type ChatModel, type ChatResult, ChatLLM, ToolAgent } from '../../src/ai/index.js';
import type { ToolAgentResult } from '../../src/ai/index.js';
import { type AdaptiveLimiter, Agent, type RetryConfig, Tool } from '../../src/index.js';
import { DOCUMENTS, TOPICS, type Topic } from './documents.js';

export const QUESTION = 'How does rh-agents run agents in parallel, safely?';

/** Model calls retry quickly (a 429's Retry-After still sets the least wait). */
const MODEL_RETRY: RetryConfig = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1_000 };

/** Resolves after `ms`, or rejects at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface Pipeline {
  research: Agent<z.ZodObject<{ question: z.ZodString }>, Brief>;
  /** Milliseconds spent inside tool handlers so far (for the sequential estimate). */
  toolTimeMs(): number;
}

export interface Brief {
  brief: string;
  notes: number;
  summaries: number;
}

export function buildPipeline(model: ChatModel, limiter: AdaptiveLimiter): Pipeline {
  let toolTimeMs = 0;
  const failedOnce = new Set<string>();

  /** The tool a researcher reads its topic's documents with (the model sees the ids as an enum). */
  const readDoc = (topic: Topic) =>
    new Tool({
      name: 'ReadDoc',
      description: 'Reads one document of the library by its id',
      inputSchema: z.object({ id: z.enum(topic.docs as [string, ...string[]]) }),
      retry: { maxAttempts: 2, initialDelayMs: 50, jitter: false },
      handler: async ({ id }, _context, state) => {
        const start = performance.now();
        try {
          await sleep(120 + ((id.length * 37) % 130), state.signal);
          // One document server hiccups once; the tool's retry policy absorbs it.
          if (id === 'replay' && !failedOnce.has(id)) {
            failedOnce.add(id);
            throw new Error('ECONNRESET: the document server reset the connection');
          }
          return { id, text: DOCUMENTS[id] as string };
        } finally {
          toolTimeMs += performance.now() - start;
        }
      },
    });

  const researchers = TOPICS.map(
    (topic) =>
      new ToolAgent({
        name: 'Researcher',
        description: `Reads the documents on ${topic.title} and writes notes`,
        llm: new ChatLLM({
          name: 'Model',
          model,
          limiter,
          retry: MODEL_RETRY,
          system:
            'You are a researcher. Read the documents you are given with the ReadDoc tool, all of them at once, then write three sentences of notes.',
        }),
        tools: [readDoc(topic)],
        maxSteps: 3,
        parallel: { maxWorkers: 4 },
      }),
  );

  const summarize = new ChatLLM({
    name: 'Summarize',
    model,
    limiter,
    retry: MODEL_RETRY,
    system: 'Summarise the document in one sentence.',
  });

  const writer = new ChatLLM({
    name: 'Writer',
    model,
    limiter,
    retry: MODEL_RETRY,
    system: 'Write a brief of three sentences that answers the question from the research notes.',
  });

  const research = new Agent({
    name: 'Research',
    description: 'Researchers in parallel, a summary per document, then a brief',
    inputSchema: z.object({ question: z.string() }),
    handler: async ({ question }, _context, state): Promise<Brief> => {
      const notes = await state.parallel<ToolAgentResult>(
        { name: 'Researchers', maxWorkers: TOPICS.length },
        (p) => {
          TOPICS.forEach((topic, i) => {
            const prompt = `Research "${topic.title}" for the question: ${question} Read these documents: ${topic.docs.join(', ')}.`;
            p.add(state.run(researchers[i] as ToolAgent, { prompt }), topic.title);
          });
        },
      );
      const summaries = await state.parallel<ChatResult>(
        { name: 'Summaries', maxWorkers: 8 },
        (p) => {
          for (const [id, text] of Object.entries(DOCUMENTS))
            p.add(state.run(summarize, { prompt: text }), id);
        },
      );
      const written = notes.flatMap((r, i) =>
        r.ok ? [`- ${TOPICS[i]?.title}: ${r.result.text.replace(/\s+/g, ' ')}`] : [],
      );
      const brief = await state.run(writer, {
        prompt: `Question: ${question}\n\nResearch notes:\n${written.join('\n')}`,
      });
      if (!brief.ok) throw brief.error;
      return {
        brief: brief.result.text,
        notes: written.length,
        summaries: summaries.filter((r) => r.ok).length,
      };
    },
  });

  return { research, toolTimeMs: () => toolTimeMs };
}
