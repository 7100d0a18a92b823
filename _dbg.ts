import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText } from 'ai';
import pLimit from 'p-limit';
import { ChatLLM } from './src/ai/index.js';
import { AdaptiveLimiter, ExecutionState } from './src/index.js';
import { startSimulatedOpenAI } from './simulator/openai-server.js';
const server = await startSimulatedOpenAI({ latencyMs: 0 });
const model = createOpenAICompatible({ name: 'sim', baseURL: server.url, includeUsage: true })('m');
await generateText({ model, prompt: 'x', maxRetries: 0 });
const N = 600;
async function cpu(name: string, fn: () => Promise<unknown>) {
  const c = process.cpuUsage(); const t = performance.now();
  await fn();
  const u = process.cpuUsage(c);
  console.log(name, 'wall', Math.round(performance.now() - t), 'cpu ms/call', ((u.user + u.system) / 1000 / N).toFixed(2));
}
for (let k = 0; k < 2; k++) {
await cpu('raw', async () => { const l = pLimit(20); await Promise.all(Array.from({ length: N }, (_, i) => l(() => generateText({ model, prompt: `q${i}`, maxRetries: 0 })))); });
const llm = new ChatLLM({ name: 'C', model });
await cpu('chatllm', async () => { const s = new ExecutionState(); await s.parallel({ maxWorkers: 20 }, (p) => { for (let i = 0; i < N; i++) p.add(s.run(llm, { prompt: `q${i}` })); }); });
const llm2 = new ChatLLM({ name: 'C', model, limiter: new AdaptiveLimiter({ maxConcurrency: 20, initialConcurrency: 20 }) });
await cpu('chatllm+limiter', async () => { const s = new ExecutionState(); await s.parallel({ maxWorkers: 20 }, (p) => { for (let i = 0; i < N; i++) p.add(s.run(llm2, { prompt: `q${i}` })); }); });
}
await server.close();
