import { request, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, connect, type Server, type Socket } from 'node:net';
import { z } from 'zod';
import type { ExecutionState } from '../../src/index.js';
import { Agent, type BusEvent, EventBus, LLM, Tool } from '../../src/index.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true, or fails after `timeoutMs` with `what`. */
export async function waitUntil(
  check: () => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** An EventBus that counts its live subscriptions, to prove nothing is left subscribed. */
export class CountingBus extends EventBus {
  active = 0;
  override subscribe(subscriber: Parameters<EventBus['subscribe']>[0]): () => void {
    const unsubscribe = super.subscribe(subscriber);
    this.active++;
    let done = false;
    return () => {
      if (!done) {
        done = true;
        this.active--;
      }
      unsubscribe();
    };
  }
}

/** A `kind: 'limit'` event as an AdaptiveLimiter publishes it (the bus's type gains it later). */
export function limitEvent(name: string, concurrency: number, previous: number, reason: string) {
  return {
    kind: 'limit',
    name,
    concurrency,
    previous,
    reason,
    timestamp: Date.now(),
    stateId: 'test',
  } as unknown as BusEvent;
}

export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

/** A Server-Sent Events client on node:http that records what arrives, for assertions. */
export interface SseStream {
  response: IncomingMessage;
  messages: SseMessage[];
  comments: string[];
  retry: number | undefined;
  /** Execution/group/… events (unnamed messages), parsed, with their ids. */
  events(): { id: number; event: Record<string, unknown> }[];
  ended: Promise<void>;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      agent: false,
      headers: { accept: 'text/event-stream', ...headers },
    });
    req.on('error', reject);
    req.on('response', (response) => {
      let buffer = '';
      let endResolve!: () => void;
      const ended = new Promise<void>((r) => (endResolve = r));
      const stream: SseStream = {
        response,
        messages: [],
        comments: [],
        retry: undefined,
        events: () =>
          stream.messages
            .filter((m) => m.event === 'message')
            .map((m) => ({
              id: Number(m.id),
              event: JSON.parse(m.data) as Record<string, unknown>,
            })),
        ended,
        close: () => req.destroy(),
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const message: SseMessage = { id: undefined, event: 'message', data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) stream.comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) message.id = line.slice(4);
            else if (line.startsWith('event: ')) message.event = line.slice(7);
            else if (line.startsWith('retry: ')) stream.retry = Number(line.slice(7));
            else if (line.startsWith('data: ')) {
              message.data += line.slice(6);
              hasData = true;
            }
          }
          if (hasData) stream.messages.push(message);
        }
      });
      response.on('end', endResolve);
      response.on('close', endResolve);
      response.on('error', endResolve);
      resolve(stream);
    });
    req.end();
  });
}

/** One HTTP request on loopback; resolves with status, headers and body. */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      agent: false,
      method: options.method ?? 'GET',
      headers: options.headers,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.end();
  });
}

/** A TCP proxy in front of the view, to break connections as a network would. */
export interface Proxy {
  port: number;
  /** While true, new connections get `503 Service Unavailable` instead of the view. */
  failWith503: boolean;
  /** Drops every open connection; returns how many sockets it destroyed. */
  cut(): number;
  close(): Promise<void>;
}

export async function startProxy(target: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const server: Server = createTcpServer((client) => {
    if (proxy.failWith503) {
      sockets.add(client);
      client.on('error', () => {}).on('close', () => sockets.delete(client));
      client.end(
        'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      );
      return;
    }
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: Proxy = {
    port: (server.address() as { port: number }).port,
    failWith503: false,
    cut: () => {
      const count = sockets.size;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      return count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}

/** What `runThreeGroups` did, to compare the page with. */
export interface ThreeGroupOutcome {
  groups: { name: string; total: number; completed: number; failed: number }[];
  runs: number;
  failedRuns: number;
  retries: number;
  tokens: { input: number; output: number; total: number; calls: number };
}

/**
 * A real pipeline with three parallel groups and failures: `Fetch` (12 tasks, 2 fail after a
 * retry), `Parse` (8 tasks, 1 fails at once), `Chat` (5 LLM calls reporting token usage).
 */
export async function runThreeGroups(
  state: ExecutionState,
  options: { delayMs?: number; names?: { fetch?: string; parseError?: string } } = {},
): Promise<ThreeGroupOutcome> {
  const delay = options.delayMs ?? 2;
  const fetchTool = new Tool({
    name: options.names?.fetch ?? 'Fetch',
    inputSchema: z.object({ i: z.number() }),
    retry: { maxAttempts: 2, initialDelayMs: 1, jitter: false },
    handler: async ({ i }) => {
      await sleep(delay + (i % 3));
      if (i === 4 || i === 9) throw new Error(`fetch ${i} failed`);
      return { i };
    },
  });
  const parseTool = new Tool({
    name: 'Parse',
    inputSchema: z.object({ i: z.number() }),
    retry: { enabled: false },
    handler: async ({ i }) => {
      await sleep(delay);
      if (i === 5) throw new Error(options.names?.parseError ?? `cannot parse ${i}`);
      return `parsed ${i}`;
    },
  });
  const chat = new LLM({
    name: 'Chat',
    inputSchema: z.object({ i: z.number() }),
    handler: async ({ i }) => {
      await sleep(delay);
      return {
        text: `answer ${i}`,
        usage: { inputTokens: 10 + i, outputTokens: 5, totalTokens: 15 + i },
      };
    },
  });
  const pipeline = new Agent({
    name: 'Pipeline',
    inputSchema: z.object({}),
    handler: async (_input, _context, s) => {
      await s.parallel({ name: 'Fetch', maxWorkers: 4 }, (p) => {
        for (let i = 0; i < 12; i++) p.add(s.run(fetchTool, { i }));
      });
      await s.parallel({ name: 'Parse', maxWorkers: 3 }, (p) => {
        for (let i = 0; i < 8; i++) p.add(s.run(parseTool, { i }));
      });
      await s.parallel({ name: 'Chat', maxWorkers: 2 }, (p) => {
        for (let i = 0; i < 5; i++) p.add(s.run(chat, { i }));
      });
      s.log('three groups done', 'info', { groups: 3 });
      return 'done';
    },
  });
  await state.run(pipeline, {});
  await state.eventBus.drain();
  return {
    groups: [
      { name: 'Fetch', total: 12, completed: 10, failed: 2 },
      { name: 'Parse', total: 8, completed: 7, failed: 1 },
      { name: 'Chat', total: 5, completed: 5, failed: 0 },
    ],
    runs: 1 + 12 + 8 + 5,
    failedRuns: 3,
    retries: 2,
    tokens: { input: 10 * 5 + 10, output: 25, total: 15 * 5 + 10, calls: 5 },
  };
}
