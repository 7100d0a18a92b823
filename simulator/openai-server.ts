/**
 * An OpenAI-compatible chat-completions server, started in-process on loopback, for tests,
 * examples, the demo and the benchmark: no network, no API key, deterministic.
 *
 *   const server = await startSimulatedOpenAI({ requestsPerSecond: 100 });
 *   const provider = createOpenAICompatible({ name: 'sim', baseURL: server.url,
 *     supportsStructuredOutputs: true, includeUsage: true });
 *   ...
 *   await server.close();
 *
 * It answers `POST /v1/chat/completions` with JSON, or with SSE chunks when the request has
 * `stream: true` (and a final usage chunk with `stream_options.include_usage`): text, tool calls
 * (whole or as streamed deltas), `response_format` JSON, usage. Replies come from a per-test
 * `script` or from the built-in simulated model (see `simulated-model.ts`). It can enforce a rate
 * limit (429 with `retry-after-ms` and `retry-after` beyond it) and fail a seeded, deterministic
 * fraction of requests with 500 or 429.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ChatCompletionRequest,
  type Script,
  type SimulatedCompletion,
  type SimulatedError,
  isError,
} from './protocol.js';
import { seededRandom } from './random.js';
import { simulatedCompletion } from './simulated-model.js';
import { writeCompletion } from './write-completion.js';

export type * from './protocol.js';

/** Options of `startSimulatedOpenAI()`. Every duration is in milliseconds. */
export interface SimulatedOpenAIOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Host to listen on. @default '127.0.0.1' */
  host?: string;
  /** Decides replies per request; returning `undefined` lets the built-in model answer. */
  script?: Script;
  /** Delay before a completion: a fixed value or a `[min, max]` range (seeded). @default [150, 400] without a script, 0 with one */
  latencyMs?: number | readonly [number, number];
  /** Delay between streamed chunks. @default 5 */
  chunkDelayMs?: number;
  /** Enforced rate limit: requests beyond it get 429 at once, with `retry-after-ms`. @default none */
  requestsPerSecond?: number;
  /** Requests the rate limit lets through at once (the token bucket's size). @default requestsPerSecond / 10, at least 1 */
  burst?: number;
  /** Fraction (0 to 1) of requests that fail as if the server were flaky. @default 0 */
  flakyRate?: number;
  /** Statuses of the flaky failures, picked in turn at random. @default [500, 429] */
  flakyStatuses?: readonly number[];
  /** The `retry-after-ms` of a flaky 429. @default 100 */
  flakyRetryAfterMs?: number;
  /** Seed of the latency and flakiness draws. @default 1 */
  seed?: number;
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. @default none */
  apiKey?: string;
}

/** One request the server received. */
export interface ReceivedRequest {
  /** Arrival order, from 0. */
  index: number;
  /** The parsed JSON body. */
  body: ChatCompletionRequest;
  /** Epoch ms when it arrived. */
  receivedAt: number;
  /** Epoch ms when the reply ended (absent while in flight, or when the client went away). */
  answeredAt?: number;
  /** The HTTP status answered. */
  status?: number;
  /** What decided the reply. */
  source?: 'rate-limit' | 'flaky' | 'script' | 'model' | 'auth';
  /** Whether the client closed the connection before the reply ended (e.g. an aborted request). */
  aborted: boolean;
}

export interface SimulatedOpenAIStats {
  /** Requests received. */
  requests: number;
  /** Replies by HTTP status. */
  byStatus: Record<number, number>;
  /** Requests being answered now, and the most at once so far. */
  inFlight: number;
  maxInFlight: number;
}

export interface SimulatedOpenAI {
  /** The base URL to give a provider, ending in `/v1`. */
  url: string;
  port: number;
  /** Every request received, in arrival order. */
  requests: ReceivedRequest[];
  stats(): SimulatedOpenAIStats;
  /** Stops listening, ends the requests in flight and closes every connection. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function fail(option: string, value: unknown, expected: string): never {
  throw new RangeError(
    `startSimulatedOpenAI(): expected \`${option}\` to be ${expected}, got ${JSON.stringify(value) ?? String(value)} (${typeof value}).`,
  );
}

const isDuration = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0;

function checkOptions(o: SimulatedOpenAIOptions): void {
  const latency = o.latencyMs;
  if (
    latency !== undefined &&
    !isDuration(latency) &&
    !(
      Array.isArray(latency) &&
      latency.length === 2 &&
      isDuration(latency[0]) &&
      isDuration(latency[1]) &&
      latency[0] <= latency[1]
    )
  )
    fail('latencyMs', latency, 'milliseconds (0 or more) or a [min, max] pair');
  if (o.chunkDelayMs !== undefined && !isDuration(o.chunkDelayMs))
    fail('chunkDelayMs', o.chunkDelayMs, 'milliseconds, 0 or more');
  for (const key of ['requestsPerSecond', 'burst'] as const) {
    const v = o[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0))
      fail(key, v, 'a number greater than 0');
  }
  if (o.flakyRate !== undefined && !(isDuration(o.flakyRate) && o.flakyRate <= 1))
    fail('flakyRate', o.flakyRate, 'a fraction from 0 to 1');
  if (
    o.flakyStatuses !== undefined &&
    !(Array.isArray(o.flakyStatuses) && o.flakyStatuses.length > 0)
  )
    fail('flakyStatuses', o.flakyStatuses, 'a non-empty array of HTTP statuses');
  if (o.script !== undefined && typeof o.script !== 'function')
    fail('script', o.script, 'a function (request, info) => reply | undefined');
}

/** Resolves after `ms`, or at once (to `false`) when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, reply: SimulatedError): void {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...reply.headers,
  };
  if (reply.retryAfterMs !== undefined) {
    headers['retry-after-ms'] = String(Math.round(reply.retryAfterMs));
    headers['retry-after'] = String(Math.max(1, Math.ceil(reply.retryAfterMs / 1000)));
  }
  const type = reply.status === 429 ? 'rate_limit_exceeded' : 'server_error';
  res.writeHead(reply.status, headers);
  res.end(
    JSON.stringify({
      error: { message: reply.message ?? `Simulated error ${reply.status}`, type, code: type },
    }),
  );
}

/** Starts the server; resolves once it listens. */
export async function startSimulatedOpenAI(
  options: SimulatedOpenAIOptions = {},
): Promise<SimulatedOpenAI> {
  checkOptions(options);
  const { script, requestsPerSecond, apiKey } = options;
  const latency = options.latencyMs ?? (script ? 0 : ([150, 400] as const));
  const chunkDelayMs = options.chunkDelayMs ?? 5;
  const flakyRate = options.flakyRate ?? 0;
  const flakyStatuses = options.flakyStatuses ?? [500, 429];
  const flakyRetryAfterMs = options.flakyRetryAfterMs ?? 100;
  const seed = options.seed ?? 1;
  const latencyRandom = seededRandom(seed);
  const flakyRandom = seededRandom(seed + 1);
  const requests: ReceivedRequest[] = [];
  const byStatus: Record<number, number> = {};
  const inFlightControllers = new Set<AbortController>();
  let maxInFlight = 0;

  // The rate limit: a token bucket of `burst` tokens refilled at requestsPerSecond.
  const burst = options.burst ?? Math.max(1, (requestsPerSecond ?? 0) / 10);
  let tokens = burst;
  let refilledAt = performance.now();
  /** 0 when the request may go through (a token is taken), else ms until the next token. */
  const admit = (): number => {
    if (requestsPerSecond === undefined) return 0;
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - refilledAt) * requestsPerSecond) / 1000);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - tokens) * 1000) / requestsPerSecond));
  };

  const drawLatency = (): number =>
    typeof latency === 'number'
      ? latency
      : latency[0] + latencyRandom() * (latency[1] - latency[0]);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      sendError(res, {
        status: 404,
        message: `The simulator serves POST /v1/chat/completions only, not ${req.method} ${path}.`,
      });
      return;
    }
    let body: ChatCompletionRequest;
    try {
      body = JSON.parse(await readBody(req)) as ChatCompletionRequest;
      if (body === null || typeof body !== 'object' || !Array.isArray(body.messages))
        throw new Error('expected a JSON object with a `messages` array');
    } catch (error) {
      sendError(res, {
        status: 400,
        message: `Invalid request body: ${(error as Error).message}`,
      });
      return;
    }
    const entry: ReceivedRequest = {
      index: requests.length,
      body,
      receivedAt: Date.now(),
      aborted: false,
    };
    requests.push(entry);
    const controller = new AbortController();
    inFlightControllers.add(controller);
    maxInFlight = Math.max(maxInFlight, inFlightControllers.size);
    res.on('close', () => {
      if (!res.writableFinished) {
        entry.aborted = true;
        controller.abort();
      }
    });
    const answer = (source: ReceivedRequest['source'], status: number): void => {
      entry.source = source;
      entry.status = status;
    };
    try {
      if (apiKey !== undefined && req.headers.authorization !== `Bearer ${apiKey}`) {
        answer('auth', 401);
        sendError(res, { status: 401, message: 'Incorrect API key provided (simulated).' });
        return;
      }
      const wait = admit();
      if (wait > 0) {
        answer('rate-limit', 429);
        sendError(res, {
          status: 429,
          message: `Rate limit reached (simulated): ${requestsPerSecond} requests per second. Please try again in ${wait}ms.`,
          retryAfterMs: wait,
        });
        return;
      }
      if (flakyRate > 0 && flakyRandom() < flakyRate) {
        const status = flakyStatuses[Math.floor(flakyRandom() * flakyStatuses.length)] as number;
        answer('flaky', status);
        const reply: SimulatedError =
          status === 429
            ? {
                status,
                retryAfterMs: flakyRetryAfterMs,
                message: 'Rate limit reached (simulated flaky 429).',
              }
            : {
                status,
                message: `The server had an error while processing your request (simulated ${status}).`,
              };
        if (!(await pause(drawLatency() / 2, controller.signal))) return;
        sendError(res, reply);
        return;
      }
      const scripted = script
        ? await script(body, { index: entry.index, signal: controller.signal })
        : undefined;
      const reply = scripted ?? simulatedCompletion(body);
      if (isError(reply)) {
        answer('script', reply.status);
        if (!(await pause(reply.delayMs ?? 0, controller.signal))) return;
        sendError(res, reply);
        return;
      }
      answer(scripted ? 'script' : 'model', 200);
      const completion: SimulatedCompletion = reply;
      if (!(await pause(completion.delayMs ?? drawLatency(), controller.signal))) return;
      await writeCompletion(res, body, completion, {
        index: entry.index,
        chunkDelayMs: completion.chunkDelayMs ?? chunkDelayMs,
        pause: (ms) => pause(ms, controller.signal),
      });
    } finally {
      inFlightControllers.delete(controller);
      if (!entry.aborted) {
        entry.answeredAt = Date.now();
        const status = entry.status ?? res.statusCode;
        entry.status = status;
        byStatus[status] = (byStatus[status] ?? 0) + 1;
      }
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        sendError(res, { status: 500, message: `Simulator script failed: ${String(error)}` });
      else res.destroy();
    });
  });
  // Idle keep-alive connections stay open longer than clients keep them (undici: 4 s), so a
  // client never reuses a socket the server is closing at that moment ("other side closed").
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= new Promise<void>((resolve) => {
      for (const controller of inFlightControllers) controller.abort();
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    port,
    requests,
    stats: () => ({
      requests: requests.length,
      byStatus: { ...byStatus },
      inFlight: inFlightControllers.size,
      maxInFlight,
    }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
