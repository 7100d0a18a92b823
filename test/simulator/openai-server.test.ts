/** The simulated OpenAI-compatible server on its own, spoken to with plain HTTP (fetch). */
import { describe, expect, it } from 'vitest';
import {
  type SimulatedOpenAI,
  type SimulatedOpenAIOptions,
  startSimulatedOpenAI,
} from '../../simulator/openai-server.js';
import { startSimulator } from '../helpers/simulator.js';

const post = (server: SimulatedOpenAI, body: unknown, init: RequestInit = {}) =>
  fetch(`${server.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...init,
  });

/** The `data:` payloads of an SSE body. */
async function sse(response: Response): Promise<unknown[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice(6))
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

const ask = (content: string, extra: object = {}) => ({
  model: 'sim-model',
  messages: [{ role: 'user', content }],
  ...extra,
});

describe('startSimulatedOpenAI', () => {
  it('listens on loopback and answers a chat completion as JSON, with usage', async () => {
    const server = await startSimulator();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const response = await post(server, ask('What is rh-agents?'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: 'chatcmpl-sim-0',
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'sim-model',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Simulated answer to: What is rh-agents?' },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 13, completion_tokens: 10, total_tokens: 23 },
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      index: 0,
      status: 200,
      source: 'model',
      aborted: false,
      body: ask('What is rh-agents?'),
    });
    expect(server.stats()).toEqual({
      requests: 1,
      byStatus: { 200: 1 },
      inFlight: 0,
      maxInFlight: 1,
    });
  });

  it('streams text as SSE chunks, ending with a usage chunk when asked and [DONE]', async () => {
    const server = await startSimulator({
      script: () => ({
        text: 'one two three four five',
        usage: { promptTokens: 7, completionTokens: 5 },
      }),
    });
    const response = await post(
      server,
      ask('hi', { stream: true, stream_options: { include_usage: true } }),
    );
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const chunks = await sse(response);
    expect(chunks.at(-1)).toBe('[DONE]');
    const deltas = chunks.slice(0, -2) as {
      choices: { delta: { content?: string }; finish_reason: string | null }[];
    }[];
    expect(deltas.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(
      'one two three four five',
    );
    expect(deltas.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-2)).toMatchObject({
      object: 'chat.completion.chunk',
      choices: [],
      usage: { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 },
    });
    // Without include_usage there is no usage chunk.
    const plain = await sse(await post(server, ask('hi', { stream: true })));
    expect(plain.some((c) => typeof c === 'object' && 'usage' in (c as object))).toBe(false);
  });

  it('streams tool calls as deltas: the name first, then the arguments in pieces', async () => {
    const server = await startSimulator({
      script: () => ({
        toolCalls: [
          { name: 'ReadDoc', arguments: { id: 'a-rather-long-document-identifier' } },
          { name: 'Search', arguments: '{"q":"x"}', id: 'call_custom' },
        ],
      }),
    });
    const chunks = (await sse(await post(server, ask('go', { stream: true })))).slice(0, -1) as {
      choices: {
        delta: {
          tool_calls?: {
            index: number;
            id?: string;
            function: { name?: string; arguments: string };
          }[];
        };
        finish_reason: string | null;
      }[];
    }[];
    const calls = new Map<number, { id?: string; name?: string; args: string }>();
    for (const chunk of chunks) {
      for (const d of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = calls.get(d.index) ?? { args: '' };
        if (d.id) call.id = d.id;
        if (d.function.name) call.name = d.function.name;
        call.args += d.function.arguments;
        calls.set(d.index, call);
      }
    }
    expect([...calls.values()]).toEqual([
      { id: 'call_0_0', name: 'ReadDoc', args: '{"id":"a-rather-long-document-identifier"}' },
      { id: 'call_custom', name: 'Search', args: '{"q":"x"}' },
    ]);
    expect(chunks.filter((c) => c.choices[0]?.delta.tool_calls).length).toBeGreaterThan(3);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('answers scripted errors with their status, message and Retry-After headers', async () => {
    const server = await startSimulator({
      script: (_, { index }) =>
        index === 0
          ? { status: 429, retryAfterMs: 1500, message: 'slow down' }
          : { status: 503, headers: { 'x-request-id': 'r1' } },
    });
    const limited = await post(server, ask('a'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after-ms')).toBe('1500');
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(await limited.json()).toEqual({
      error: { message: 'slow down', type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' },
    });
    const down = await post(server, ask('b'));
    expect(down.status).toBe(503);
    expect(down.headers.get('x-request-id')).toBe('r1');
    expect(server.stats().byStatus).toEqual({ 429: 1, 503: 1 });
  });

  it('enforces requestsPerSecond: beyond the burst, 429 at once with the wait until the next token', async () => {
    const server = await startSimulator({ requestsPerSecond: 10, burst: 2, latencyMs: 30 });
    const statuses = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const r = await post(server, ask('x'));
        return [r.status, r.headers.get('retry-after-ms')] as const;
      }),
    );
    expect(statuses.filter(([s]) => s === 200)).toHaveLength(2);
    const refused = statuses.filter(([s]) => s === 429);
    expect(refused).toHaveLength(3);
    for (const [, ms] of refused) expect(Number(ms)).toBeGreaterThan(0);
    for (const [, ms] of refused) expect(Number(ms)).toBeLessThanOrEqual(100);
    expect(server.requests.filter((r) => r.source === 'rate-limit')).toHaveLength(3);
    // After 200 ms two tokens came back.
    await new Promise((r) => setTimeout(r, 200));
    expect((await post(server, ask('y'))).status).toBe(200);
  });

  it('fails a seeded, deterministic fraction of requests as flaky', async () => {
    const run = async (seed: number) => {
      const server = await startSimulator({ flakyRate: 0.5, seed, flakyRetryAfterMs: 250 });
      const out: (number | string | null)[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await post(server, ask(String(i)));
        out.push(r.status === 429 ? `429:${r.headers.get('retry-after-ms')}` : r.status);
      }
      return out;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(2);
    expect(a.filter((s) => s === 200).length).toBeLessThan(11);
    expect(a).toContain(500);
    expect(a).toContain('429:250');
  });

  it('lets the built-in model answer what the script leaves (undefined)', async () => {
    const server = await startSimulator({
      script: (body) => (body.messages.length > 1 ? { text: 'scripted' } : undefined),
    });
    const r1 = (await (await post(server, ask('plain'))).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(r1.choices[0]?.message.content).toBe('Simulated answer to: plain');
    const r2 = (await (
      await post(server, {
        model: 'm',
        messages: [
          { role: 'system', content: 's' },
          { role: 'user', content: 'u' },
        ],
      })
    ).json()) as { choices: { message: { content: string } }[] };
    expect(r2.choices[0]?.message.content).toBe('scripted');
    expect(server.requests.map((r) => r.source)).toEqual(['model', 'script']);
  });

  it('the built-in model calls offered tools in parallel, once per enum value, then sums up the results', async () => {
    const server = await startSimulator();
    const tools = [
      {
        type: 'function',
        function: {
          name: 'ReadDoc',
          parameters: {
            type: 'object',
            properties: {
              id: { type: 'string', enum: ['a', 'b', 'c'] },
              full: { type: 'boolean' },
            },
            required: ['id', 'full'],
          },
        },
      },
      {
        type: 'function',
        function: { name: 'Now', parameters: { type: 'object', properties: {} } },
      },
    ];
    const first = (await (await post(server, ask('read', { tools }))).json()) as {
      choices: {
        message: { tool_calls: { function: { name: string; arguments: string } }[] };
        finish_reason: string;
      }[];
    };
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(
      first.choices[0]?.message.tool_calls.map((c) => [
        c.function.name,
        JSON.parse(c.function.arguments),
      ]),
    ).toEqual([
      ['ReadDoc', { id: 'a', full: true }],
      ['ReadDoc', { id: 'b', full: true }],
      ['ReadDoc', { id: 'c', full: true }],
      ['Now', {}],
    ]);
    const second = (await (
      await post(server, {
        model: 'm',
        tools,
        messages: [
          { role: 'user', content: 'read' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'Now', arguments: '{}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: '"12:00"' },
        ],
      })
    ).json()) as { choices: { message: { content: string } }[] };
    expect(second.choices[0]?.message.content).toBe('Summary of 1 tool result: "12:00"');
  });

  it('the built-in model answers JSON matching a response_format schema', async () => {
    const server = await startSimulator();
    const schema = {
      type: 'object',
      properties: {
        summary: { type: 'string', minLength: 3 },
        score: { type: 'integer', minimum: 3, maximum: 9 },
        ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
        tags: { type: 'array', items: { type: 'string', maxLength: 6 }, minItems: 3 },
        kind: { anyOf: [{ type: 'null' }, { type: 'string', enum: ['x', 'y'] }] },
        when: { type: 'string', format: 'date-time' },
        site: { type: ['string', 'null'], format: 'uri' },
        fixed: { const: 42 },
        nested: { $ref: '#/$defs/inner' },
        both: { allOf: [{ type: 'object', properties: { a: { type: 'boolean' } } }] },
        email: { type: 'string', format: 'email' },
        day: { type: 'string', format: 'date' },
        id: { type: 'string', format: 'uuid' },
        nothing: { type: 'null' },
        loose: {},
        missing: { $ref: '#/$defs/none' },
        external: { $ref: 'https://example.com/schema' },
      },
      $defs: { inner: { type: 'object', properties: { ok: { type: 'boolean' } } } },
    };
    const body = ask('Rate it', {
      response_format: { type: 'json_schema', json_schema: { name: 'r', schema, strict: true } },
    });
    const reply = (await (await post(server, body)).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(JSON.parse(reply.choices[0]?.message.content ?? '')).toEqual({
      summary: 'Simulated answer to: Rate it',
      score: 3,
      ratio: 0,
      tags: ['simula', 'simula', 'simula'],
      kind: 'x',
      when: '2025-01-01T00:00:00.000Z',
      site: 'https://example.com/',
      fixed: 42,
      nested: { ok: true },
      both: { a: true },
      email: 'simulated@example.com',
      day: '2025-01-01',
      id: '00000000-0000-4000-8000-000000000000',
      nothing: null,
      loose: 'simulated loose',
      missing: null,
      external: null,
    });
    const object = (await (
      await post(server, ask('x', { response_format: { type: 'json_object' } }))
    ).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(JSON.parse(object.choices[0]?.message.content ?? '')).toEqual({
      answer: 'Simulated answer to: x',
    });
  });

  it('notices a client that goes away, and close() ends requests in flight', async () => {
    const server = await startSimulator({ script: () => ({ text: 'late', delayMs: 5000 }) });
    const controller = new AbortController();
    const pending = post(server, ask('wait'), { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    expect(server.stats().inFlight).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests[0]).toMatchObject({ aborted: true });
    expect(server.requests[0]?.answeredAt).toBeUndefined();
    expect(server.stats().inFlight).toBe(0);
    const hanging = post(server, ask('again')).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await hanging).toBeInstanceOf(Error);
  });

  it('refuses other paths, bad bodies and a wrong API key', async () => {
    const server = await startSimulator({ apiKey: 'sk-test' });
    const notFound = await fetch(`${server.url}/models`);
    expect(notFound.status).toBe(404);
    expect(await notFound.text()).toMatch(
      /serves POST \/v1\/chat\/completions only, not GET \/v1\/models/,
    );
    const bad = await fetch(`${server.url}/chat/completions`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /^Invalid request body/,
    );
    expect((await post(server, { model: 'm' })).status).toBe(400);
    expect((await post(server, ask('x'))).status).toBe(401);
    expect(
      (await post(server, ask('x'), { headers: { authorization: 'Bearer sk-test' } })).status,
    ).toBe(200);
  });

  it('answers 500 when the script throws', async () => {
    const server = await startSimulator({
      script: () => {
        throw new Error('script bug');
      },
    });
    const r = await post(server, ask('x'));
    expect(r.status).toBe(500);
    expect(await r.text()).toMatch(/Simulator script failed: Error: script bug/);
  });

  it('validates its options', async () => {
    const bad: [SimulatedOpenAIOptions, RegExp][] = [
      [
        { latencyMs: -1 },
        /`latencyMs` to be milliseconds \(0 or more\) or a \[min, max\] pair, got -1 \(number\)/,
      ],
      [{ latencyMs: [5, 1] }, /`latencyMs`.*got \[5,1\] \(object\)/],
      [{ chunkDelayMs: NaN }, /`chunkDelayMs`/],
      [{ requestsPerSecond: 0 }, /`requestsPerSecond` to be a number greater than 0, got 0/],
      [{ burst: -2 }, /`burst`/],
      [{ flakyRate: 2 }, /`flakyRate` to be a fraction from 0 to 1, got 2/],
      [{ flakyStatuses: [] }, /`flakyStatuses`/],
      [{ script: 'x' as never }, /`script` to be a function/],
    ];
    for (const [options, message] of bad)
      await expect(startSimulatedOpenAI(options)).rejects.toThrow(message);
  });
});
