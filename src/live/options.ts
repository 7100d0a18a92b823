import { isIP } from 'node:net';
import type { EventBus } from '../index.js';
import { describe } from '../util/describe.js';
import { checkInteger, checkKnownKeys } from '../util/validate.js';
import type { LiveStateSource } from './state-source.js';

/** Options of `serveLiveView()`. */
export interface LiveViewOptions {
  /**
   * The bus whose events the page shows, usually `state.eventBus`. The view subscribes when it
   * starts and keeps every event from then on (up to `maxEvents`) to replay to each new page.
   */
  eventBus: Pick<EventBus, 'subscribe'>;
  /** TCP port; `0` lets the system pick a free one (read it from `view.port` or `view.url`). @default 0 */
  port?: number;
  /**
   * Interface to listen on. Anything but a loopback address (`127.0.0.1`, `::1`, `localhost`)
   * exposes your pipeline's inputs and outputs to the network and therefore requires `token`.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * A secret every request must carry, as `Authorization: Bearer <token>` or `?token=<token>`;
   * `view.url` carries it. Required when `host` is not a loopback address. Use a long random
   * value, e.g. `crypto.randomUUID()`.
   * @default undefined (no token; only allowed on loopback)
   */
  token?: string;
  /**
   * A state backend (anything with `list()` and `load()`, e.g. a `StateBackend`): the page then
   * lists the stored states and shows any one's history.
   * @default undefined (no stored states)
   */
  stateBackend?: LiveStateSource;
  /**
   * Events kept for replay to pages that connect later; beyond it the oldest are dropped and a
   * page that connects later is told how many it missed.
   * @default 100_000
   */
  maxEvents?: number;
  /** Interval of the comment lines that keep idle connections open through proxies, in ms. @default 15_000 */
  heartbeatMs?: number;
  /** The page's title. @default 'rh-agents live view' */
  title?: string;
}

/** The options with their defaults applied. */
export interface ResolvedLiveViewOptions {
  eventBus: Pick<EventBus, 'subscribe'>;
  port: number;
  host: string;
  token: string | undefined;
  stateBackend: LiveStateSource | undefined;
  maxEvents: number;
  heartbeatMs: number;
  title: string;
}

export const defaultLiveViewOptions = Object.freeze({
  port: 0,
  host: '127.0.0.1',
  maxEvents: 100_000,
  heartbeatMs: 15_000,
  title: 'rh-agents live view',
});

const OWNER = 'serveLiveView';
const KNOWN = [
  'eventBus',
  'port',
  'host',
  'token',
  'stateBackend',
  'maxEvents',
  'heartbeatMs',
  'title',
] as const;

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = bare.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true;
  if (isIP(lower) === 4) return lower.startsWith('127.');
  if (isIP(lower) === 6) return lower === '::1' || /^::ffff:127\./.test(lower);
  return false;
}

function hasMethod(value: object, name: string): boolean {
  return typeof (value as Record<string, unknown>)[name] === 'function';
}

function checkWholeNumber(option: string, value: unknown, min: number, max: number): number {
  return checkInteger(OWNER, option, value, { min, max });
}

/** Validates `options` and applies the defaults; every message names the option and the fix. */
export function resolveLiveViewOptions(options: unknown): ResolvedLiveViewOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `${OWNER}: expected an options object such as { eventBus: state.eventBus }, got ${describe(options)}.`,
    );
  }
  checkKnownKeys(OWNER, options, KNOWN);
  const o = options as LiveViewOptions;
  const bus: unknown = o.eventBus;
  if (bus === null || typeof bus !== 'object' || !hasMethod(bus, 'subscribe')) {
    throw new TypeError(
      `${OWNER}: expected \`eventBus\` to be an event bus with a subscribe() method (pass state.eventBus), got ${describe(bus)}.`,
    );
  }
  const port = checkWholeNumber('port', o.port ?? defaultLiveViewOptions.port, 0, 65_535);
  const host = o.host ?? defaultLiveViewOptions.host;
  if (typeof host !== 'string' || host.trim() === '') {
    throw new TypeError(
      `${OWNER}: expected \`host\` to be a host name or IP address such as '127.0.0.1', got ${describe(host)}.`,
    );
  }
  const token: unknown = o.token;
  if (token !== undefined && (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token))) {
    throw new TypeError(
      `${OWNER}: expected \`token\` to be a non-empty string of visible ASCII characters without spaces (e.g. crypto.randomUUID()), got ${describe(token)}.`,
    );
  }
  if (token === undefined && !isLoopbackHost(host)) {
    throw new TypeError(
      `${OWNER}: \`host\` ${describe(host)} is not a loopback address, so a \`token\` is required: without one, anyone who can reach this machine could read your pipeline's inputs and outputs. Pass token: crypto.randomUUID() and open view.url (it carries the token), or listen on '127.0.0.1'.`,
    );
  }
  const backend: unknown = o.stateBackend;
  if (
    backend !== undefined &&
    (backend === null ||
      typeof backend !== 'object' ||
      !hasMethod(backend, 'list') ||
      !hasMethod(backend, 'load'))
  ) {
    throw new TypeError(
      `${OWNER}: expected \`stateBackend\` to be a state backend with list() and load() methods, got ${describe(backend)}.`,
    );
  }
  const maxEvents = checkWholeNumber(
    'maxEvents',
    o.maxEvents ?? defaultLiveViewOptions.maxEvents,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const heartbeatMs = checkWholeNumber(
    'heartbeatMs',
    o.heartbeatMs ?? defaultLiveViewOptions.heartbeatMs,
    10,
    2_147_483_647,
  );
  const title = o.title ?? defaultLiveViewOptions.title;
  if (typeof title !== 'string') {
    throw new TypeError(`${OWNER}: expected \`title\` to be a string, got ${describe(title)}.`);
  }
  return {
    eventBus: bus as Pick<EventBus, 'subscribe'>,
    port,
    host,
    token: token as string | undefined,
    stateBackend: backend as LiveStateSource | undefined,
    maxEvents,
    heartbeatMs,
    title,
  };
}
