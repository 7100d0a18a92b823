/** The loopback OpenAI-compatible simulator for tests: started fast, closed after each test. */
import { afterEach } from 'vitest';
import {
  type SimulatedOpenAI,
  type SimulatedOpenAIOptions,
  startSimulatedOpenAI,
} from '../../simulator/openai-server.js';

const servers: SimulatedOpenAI[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Starts a simulated server with no latency unless `options` ask for some; closed after the test. */
export async function startSimulator(
  options: SimulatedOpenAIOptions = {},
): Promise<SimulatedOpenAI> {
  const server = await startSimulatedOpenAI({ latencyMs: 0, chunkDelayMs: 0, ...options });
  servers.push(server);
  return server;
}
