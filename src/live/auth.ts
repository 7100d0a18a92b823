import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from './options.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Checks the token of a request (`Authorization: Bearer …` or `?token=…`) in constant time, so
 * the comparison does not tell an attacker how much of a guess was right.
 */
export function createTokenCheck(token: string): (req: IncomingMessage, url: URL) => boolean {
  const expected = digest(token);
  return (req, url) => {
    const header = req.headers.authorization;
    const bearer = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    const given = bearer ?? url.searchParams.get('token');
    return given !== null && timingSafeEqual(digest(given), expected);
  };
}

/**
 * Whether the request's `Host` header names this machine. A server on loopback without a token
 * refuses other names: a web page whose domain an attacker re-points at 127.0.0.1 (DNS
 * rebinding) would otherwise read the events as if it were the same origin.
 */
export function hasLoopbackHostHeader(req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return isLoopbackHost(name ?? '');
}
