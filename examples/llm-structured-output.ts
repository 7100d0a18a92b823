/**
 * LLM calls with `ChatLLM`: text, structured output from a zod schema, streaming, and what
 * happens when a reply does not match the schema. The model is a simulated OpenAI-compatible
 * server started here on loopback (no network, no API key); any AI SDK provider works the same.
 *
 *   npx tsx examples/llm-structured-output.ts
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { z } from 'zod';
import { startSimulatedOpenAI } from '../simulator/openai-server.js';
import { ChatLLM } from '../src/ai/index.js';
import { ExecutionState } from '../src/index.js';

// A simulated model: answers after 20 to 60 ms; requests whose prompt says "broken" get a reply
// that does not match the schema.
const server = await startSimulatedOpenAI({
  latencyMs: [20, 60],
  script: (request) =>
    JSON.stringify(request.messages).includes('broken')
      ? { json: { title: 'Broken', sentiment: 'meh' } }
      : undefined,
});
console.log(`Simulated OpenAI-compatible server at ${server.url}`);

const provider = createOpenAICompatible({
  name: 'simulated',
  baseURL: server.url,
  supportsStructuredOutputs: true, // send the JSON schema as response_format
  includeUsage: true, // usage on streamed replies
});

const state = new ExecutionState();

// 1. Text.
const writer = new ChatLLM({
  name: 'Writer',
  model: provider('sim-writer'),
  system: 'You answer in one sentence.',
});
const text = await state.run(writer, { prompt: 'What does rh-agents do?' });
if (text.ok) {
  console.log(`text: ${text.result.text}`);
  console.log(`finish reason: ${text.result.finishReason}, model: ${text.result.response.modelId}`);
}

// 2. Structured output: the result's `object` is typed from the schema and validated.
const Review = z.object({
  title: z.string(),
  sentiment: z.enum(['positive', 'neutral', 'negative']),
  stars: z.number().int().min(1).max(5),
  summary: z.string(),
});
const reviewer = new ChatLLM({
  name: 'Reviewer',
  model: provider('sim-reviewer'),
  outputSchema: Review,
});
const review = await state.run(reviewer, { prompt: 'Review: "fast, small, well documented"' });
if (review.ok && review.result.object) {
  const { title, sentiment, stars, summary } = review.result.object;
  console.log(`object: title=${JSON.stringify(title)} sentiment=${sentiment} stars=${stars}`);
  console.log(`summary: ${summary}`);
  console.log(`usage: ${JSON.stringify(review.result.usage)}`);
}

// 3. A reply that does not match the schema: ok false with the validation message (not retried).
const broken = await state.run(reviewer, { prompt: 'Review something broken' });
console.log(`mismatch -> ok: ${broken.ok}, ${broken.errorMessage}`);

// 4. Streaming: onTextDelta gets the text piece by piece; the result is the same.
const pieces: string[] = [];
const streamer = new ChatLLM({
  name: 'Streamer',
  model: provider('sim-writer'),
  onTextDelta: (delta) => pieces.push(delta),
});
const streamed = await state.run(streamer, { prompt: 'Stream a longer answer for me, please' });
console.log(`streamed in ${pieces.length} pieces: ${pieces.join('|')}`);
console.log(`same as the result text: ${streamed.ok && pieces.join('') === streamed.result.text}`);

// Every call is an addressed run in the state's history, like any actor.
console.log(
  `history: ${state.history.events
    .filter((e) => e.status !== 'started')
    .map((e) => `${e.address} ${e.status}`)
    .join(', ')}`,
);
console.log(`requests the server received: ${server.requests.length}`);
await server.close();
