import type { ServerResponse } from 'node:http';
import type { ChatCompletionRequest, SimulatedCompletion } from './protocol.js';

interface WriteOptions {
  /** The request's arrival index (names the completion). */
  index: number;
  chunkDelayMs: number;
  /** Waits between chunks; resolves to `false` when the client went away. */
  pause: (ms: number) => Promise<boolean>;
}

/** Rough token count of a text: one token per four characters. */
const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** Splits a text into pieces of about three words, as a model streams them. */
function textPieces(text: string): string[] {
  const words = text.match(/\S+\s*|\s+/g) ?? [];
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += 3) pieces.push(words.slice(i, i + 3).join(''));
  return pieces;
}

function argumentsText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? {});
}

/** Writes a completion as one JSON response, or as SSE chunks when the request streams. */
export async function writeCompletion(
  res: ServerResponse,
  request: ChatCompletionRequest,
  completion: SimulatedCompletion,
  { index, chunkDelayMs, pause }: WriteOptions,
): Promise<void> {
  const id = completion.id ?? `chatcmpl-sim-${index}`;
  const model = completion.model ?? String(request.model ?? 'simulated');
  const created = Math.floor(Date.now() / 1000);
  const text =
    completion.json !== undefined ? JSON.stringify(completion.json) : (completion.text ?? null);
  const toolCalls = (completion.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_${index}_${i}`,
    type: 'function' as const,
    function: { name: call.name, arguments: argumentsText(call.arguments) },
  }));
  const finishReason = completion.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  const completionText =
    (text ?? '') + toolCalls.map((c) => c.function.name + c.function.arguments).join('');
  const usage =
    completion.usage === null
      ? undefined
      : completion.usage
        ? {
            prompt_tokens: completion.usage.promptTokens,
            completion_tokens: completion.usage.completionTokens,
            total_tokens: completion.usage.promptTokens + completion.usage.completionTokens,
          }
        : (() => {
            const prompt = estimateTokens(
              JSON.stringify(request.messages) + JSON.stringify(request.tools ?? []),
            );
            const output = Math.max(1, estimateTokens(completionText));
            return {
              prompt_tokens: prompt,
              completion_tokens: output,
              total_tokens: prompt + output,
            };
          })();

  if (request.stream !== true) {
    const message: Record<string, unknown> = { role: 'assistant', content: text };
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message, finish_reason: finishReason }],
        ...(usage ? { usage } : {}),
      }),
    );
    return;
  }

  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const base = { id, object: 'chat.completion.chunk', created, model };
  const send = async (payload: object | '[DONE]', wait = true): Promise<boolean> => {
    if (wait && !(await pause(chunkDelayMs))) return false;
    res.write(
      `data: ${payload === '[DONE]' ? payload : JSON.stringify({ ...base, ...payload })}\n\n`,
    );
    return true;
  };
  const delta = (d: object, finish: string | null = null) => ({
    choices: [{ index: 0, delta: d, finish_reason: finish }],
  });
  if (!(await send(delta({ role: 'assistant', content: '' }), false))) return;
  for (const piece of textPieces(text ?? '')) if (!(await send(delta({ content: piece })))) return;
  for (const [i, call] of toolCalls.entries()) {
    const head = {
      index: i,
      id: call.id,
      type: 'function',
      function: { name: call.function.name, arguments: '' },
    };
    if (!(await send(delta({ tool_calls: [head] })))) return;
    const args = call.function.arguments;
    for (let at = 0; at < args.length; at += 24) {
      const piece = { index: i, function: { arguments: args.slice(at, at + 24) } };
      if (!(await send(delta({ tool_calls: [piece] })))) return;
    }
  }
  if (!(await send(delta({}, finishReason)))) return;
  if (usage && request.stream_options?.include_usage === true)
    if (!(await send({ choices: [], usage }, false))) return;
  await send('[DONE]', false);
  res.end();
}
