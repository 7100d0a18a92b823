import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenCheck, hasLoopbackHostHeader } from './auth.js';
import { LiveViewListenError } from './errors.js';
import { EventLog } from './event-log.js';
import { isLoopbackHost, resolveLiveViewOptions, type LiveViewOptions } from './options.js';
import { renderPage } from './page/page.js';
import { SseConnection } from './sse-connection.js';
import { answerStates } from './states-api.js';

/** A running live view. */
export interface LiveView {
  /** The page's address, with `?token=…` when there is a token: open it as it is. */
  readonly url: string;
  /** The port it listens on (the one the system chose for `port: 0`). */
  readonly port: number;
  /** The host it listens on. */
  readonly host: string;
  /** Pages connected to the event stream now. */
  readonly connections: number;
  /** Events received from the bus since the view started. */
  readonly eventCount: number;
  /** Ends every open event stream, stops listening and unsubscribes from the bus; idempotent. */
  close(): Promise<void>;
  /** `close()`, for `await using view = await serveLiveView(…)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Headers on every answer: no caching, no sniffing, no framing, no referrer (the URL may hold the token). */
const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers?: Record<string, string>,
): void {
  send(res, status, 'text/plain; charset=utf-8', `${text}\n`, headers);
}

/** The `Last-Event-ID` a page sent (header, or `?lastEventId=` for a fresh EventSource); `undefined` when malformed. */
function lastEventIdOf(req: IncomingMessage, url: URL): number | undefined {
  const raw = req.headers['last-event-id'] ?? url.searchParams.get('lastEventId') ?? '0';
  const text = Array.isArray(raw) ? raw[0] : raw;
  return text !== undefined && /^\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(new LiveViewListenError(port, host, { cause: error }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Serves a live view of `eventBus`: `GET /` is a self-contained page, `GET /events` a
 * Server-Sent Events stream of every event since the view started, then the live ones.
 * Listens on 127.0.0.1 by default; see `LiveViewOptions` for the token and stored states.
 */
export async function serveLiveView(options: LiveViewOptions): Promise<LiveView> {
  const o = resolveLiveViewOptions(options);
  const page = renderPage(o.title);
  const viewId = randomUUID();
  const checkToken = o.token === undefined ? undefined : createTokenCheck(o.token);
  const guardHostHeader = checkToken === undefined && isLoopbackHost(o.host);
  const connections = new Set<SseConnection>();
  const log = new EventLog(o.eventBus, o.maxEvents);

  let flushScheduled: NodeJS.Immediate | undefined;
  log.onAppend = () => {
    if (flushScheduled === undefined && connections.size > 0) {
      // One write per page per turn, however many events the turn published.
      flushScheduled = setImmediate(() => {
        flushScheduled = undefined;
        for (const connection of connections) connection.pump();
      });
    }
  };

  const openStream = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const lastEventId = lastEventIdOf(req, url);
    if (lastEventId === undefined) {
      sendText(
        res,
        400,
        'Last-Event-ID must be a whole number: the id of the last event received.',
      );
      return;
    }
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    req.socket.setNoDelay(true);
    res.write('retry: 1000\n\n');
    const connection = new SseConnection(res, log, lastEventId, (c) => connections.delete(c));
    connection.send('hello', {
      viewId,
      firstId: log.firstId,
      lastId: log.lastId,
      states: o.stateBackend !== undefined,
    });
    connections.add(connection);
    connection.pump();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://live.invalid');
    if (guardHostHeader && !hasLoopbackHostHeader(req)) {
      sendText(
        res,
        403,
        'Forbidden: this live view answers only requests addressed to this machine (127.0.0.1 or localhost). Give it a `token` to serve other host names.',
      );
      return;
    }
    if (checkToken !== undefined && !checkToken(req, url)) {
      sendText(
        res,
        401,
        'Unauthorized: this live view needs its token, as ?token=… or an Authorization: Bearer … header. Open the URL it printed (view.url).',
        { 'WWW-Authenticate': 'Bearer realm="rh-agents live view"' },
      );
      return;
    }
    if (req.method !== 'GET') {
      sendText(res, 405, `Method ${req.method} is not allowed: the live view only answers GET.`, {
        Allow: 'GET',
      });
      return;
    }
    const path = url.pathname;
    if (path === '/' || path === '/index.html') {
      send(res, 200, 'text/html; charset=utf-8', page.html, {
        'Content-Security-Policy': page.contentSecurityPolicy,
      });
    } else if (path === '/events') {
      openStream(req, res, url);
    } else if (path === '/api/states' || path.startsWith('/api/states/')) {
      const answer = await answerStates(o.stateBackend, path, url);
      send(res, answer.status, 'application/json; charset=utf-8', answer.body);
    } else {
      sendText(res, 404, `Not found: ${path}. The live view serves /, /events and /api/states.`);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Nothing above throws on purpose; should it anyway, answer instead of hanging.
      if (!res.headersSent) sendText(res, 500, `Internal error: ${String(error)}`);
      else res.destroy();
    });
  });
  try {
    await listen(server, o.port, o.host);
  } catch (error) {
    log.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(o.host)}:${port}/${o.token === undefined ? '' : `?token=${encodeURIComponent(o.token)}`}`;
  const heartbeat = setInterval(() => {
    for (const connection of connections) connection.heartbeat();
  }, o.heartbeatMs);
  heartbeat.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      log.close();
      clearInterval(heartbeat);
      if (flushScheduled !== undefined) clearImmediate(flushScheduled);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...connections].map((connection) => connection.end()));
      server.closeAllConnections();
      await stopped;
    })();
    return closing;
  };

  return {
    url,
    port,
    host: o.host,
    get connections() {
      return connections.size;
    },
    get eventCount() {
      return log.lastId;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
