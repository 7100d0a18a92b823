import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { afterEach } from 'vitest';
import {
  type SimulatedOpenAI,
  type SimulatedOpenAIOptions,
  startSimulatedOpenAI,
} from '../../simulator/openai-server.js';
import type { ChatModel } from '../../src/ai/index.js';
import type { BusEvent, ExecutionRecord, ExecutionState } from '../../src/index.js';

const servers: SimulatedOpenAI[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Starts a simulated server (closed after the test) and a model of it, as a user would connect. */
export async function simulated(
  options: SimulatedOpenAIOptions = {},
): Promise<{ server: SimulatedOpenAI; model: ChatModel }> {
  const server = await startSimulatedOpenAI({ latencyMs: 0, chunkDelayMs: 0, ...options });
  servers.push(server);
  const provider = createOpenAICompatible({
    name: 'sim',
    baseURL: server.url,
    supportsStructuredOutputs: true,
    includeUsage: true,
  });
  return { server, model: provider('sim-model') };
}

export function collect(state: ExecutionState): BusEvent[] {
  const events: BusEvent[] = [];
  state.eventBus.subscribe((e) => void events.push(e));
  return events;
}

export function records(events: readonly BusEvent[]): ExecutionRecord[] {
  return events.filter((e): e is ExecutionRecord => e.kind === 'execution');
}

/** Resolves after `ms`; rejects with the reason as soon as `signal` aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A retry policy that retries fast (the Retry-After of a failure still applies). */
export const fastRetry = { maxAttempts: 3, initialDelayMs: 1, jitter: false } as const;
