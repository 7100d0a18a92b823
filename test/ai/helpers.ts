import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { SimulatedOpenAI, SimulatedOpenAIOptions } from '../../simulator/openai-server.js';
import type { ChatModel } from '../../src/ai/index.js';
import type { BusEvent, ExecutionRecord, ExecutionState } from '../../src/index.js';
import { startSimulator } from '../helpers/simulator.js';

/** Starts a simulated server (closed after the test) and a model of it, as a user would connect. */
export async function simulated(
  options: SimulatedOpenAIOptions = {},
): Promise<{ server: SimulatedOpenAI; model: ChatModel }> {
  const server = await startSimulator(options);
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

/** A retry policy that retries fast (the Retry-After of a failure still applies). */
export const fastRetry = { maxAttempts: 3, initialDelayMs: 1, jitter: false } as const;
