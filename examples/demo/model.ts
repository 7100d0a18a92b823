/**
 * The demo's model: the simulated OpenAI-compatible server started here on loopback, or, with
 * `OPENAI_BASE_URL` set, that real server. Either way every HTTP request goes through a metering
 * `fetch` (the real `fetch`, timed and counted), so the summary can say what was sent.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { startSimulatedOpenAI } from '../../simulator/openai-server.js';
import {
  type ChatCompletionRequest,
  type SimulatedReply,
  textOf,
} from '../../simulator/protocol.js';
import type { ChatModel } from '../../src/ai/index.js';
import { firstSentence } from './documents.js';

/** One HTTP request to the model: who sent it, its status, how long until the reply came. */
export interface ModelRequest {
  /** The address of the run that sent it (a `ChatLLM` run). */
  address: string | undefined;
  /** The HTTP status, or `'aborted'` / `'error'` when no reply came. */
  status: number | 'aborted' | 'error';
  durationMs: number;
}

export interface DemoModel {
  model: ChatModel;
  /** Whether it is the simulated server. */
  simulated: boolean;
  /** What the model is, for the top of the output. */
  description: string;
  /** Every request sent so far, in order. */
  requests: ModelRequest[];
  close(): Promise<void>;
}

/** The simulated latency of a reply, in milliseconds. */
export const SIMULATED_LATENCY_MS = [150, 450] as const;

/**
 * Connects the demo to its model. `addressOf()` names the run that is sending a request (the
 * request is sent inside that run's async context).
 */
export async function connectModel(addressOf: () => string | undefined): Promise<DemoModel> {
  const requests: ModelRequest[] = [];
  const meteredFetch: typeof fetch = async (input, init) => {
    const entry: ModelRequest = { address: addressOf(), status: 'error', durationMs: 0 };
    requests.push(entry);
    const start = performance.now();
    try {
      const response = await fetch(input, init);
      entry.status = response.status;
      return response;
    } catch (error) {
      entry.status = init?.signal?.aborted ? 'aborted' : 'error';
      throw error;
    } finally {
      entry.durationMs = performance.now() - start;
    }
  };

  const baseURL = process.env.OPENAI_BASE_URL;
  if (baseURL) {
    const modelId = process.env.RH_MODEL || 'gpt-4o-mini';
    const provider = createOpenAICompatible({
      name: 'openai-compatible',
      baseURL,
      apiKey: process.env.OPENAI_API_KEY,
      includeUsage: true,
      fetch: meteredFetch,
    });
    return {
      model: provider(modelId),
      simulated: false,
      description: `${modelId} at ${baseURL} (a real model: OPENAI_BASE_URL is set)`,
      requests,
      close: async () => {},
    };
  }

  const server = await startSimulatedOpenAI({
    latencyMs: SIMULATED_LATENCY_MS,
    // A flaky provider: about one request in eight fails, with a 500 or with a 429 that asks
    // the client to come back 200 ms later.
    flakyRate: 0.12,
    flakyStatuses: [429, 500],
    flakyRetryAfterMs: 200,
    seed: 7,
    script: simulatedReply,
  });
  const provider = createOpenAICompatible({
    name: 'simulated',
    baseURL: server.url,
    includeUsage: true,
    fetch: meteredFetch,
  });
  return {
    model: provider('simulated-model'),
    simulated: true,
    description: `simulated: an OpenAI-compatible server on ${server.url}, started by this demo (replies in ${SIMULATED_LATENCY_MS.join('-')} ms; about 1 request in 8 fails with a 429 or a 500). For a real model, set OPENAI_BASE_URL, OPENAI_API_KEY and RH_MODEL.`,
    requests,
    close: () => server.close(),
  };
}

/**
 * What the simulated model answers. It calls every tool it is offered at once (the simulator's
 * built-in model does that), and "summarises" by quoting first sentences: good enough to watch
 * the pipeline, and obviously not a real model.
 */
function simulatedReply(request: ChatCompletionRequest): SimulatedReply | undefined {
  const messages = request.messages;
  const toolResults = messages.filter((m) => m.role === 'tool');
  if (toolResults.length === 0 && (request.tools?.length ?? 0) > 0) return undefined;
  if (toolResults.length > 0) {
    const read = toolResults.map((m) => {
      const text = textOf(m.content);
      try {
        const doc = JSON.parse(text) as { text?: unknown };
        return typeof doc.text === 'string' ? firstSentence(doc.text) : text;
      } catch {
        return text;
      }
    });
    return { text: read.join(' ') };
  }
  const system = textOf(messages.find((m) => m.role === 'system')?.content);
  const prompt = textOf([...messages].reverse().find((m) => m.role === 'user')?.content);
  if (system.startsWith('Summarise')) return { text: firstSentence(prompt) };
  // The writer: one sentence from each researcher's notes.
  const notes = prompt
    .split('\n')
    .filter((line) => line.startsWith('- '))
    .map((line) => firstSentence(line.slice(2).replace(/^[^:]*: /, '')));
  return { text: notes.length > 0 ? notes.join(' ') : undefined };
}
