/** Who may talk to the view: loopback by default, the token, GET only, no CORS, Host header. */
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/index.js';
import { serveLiveView, type LiveView } from '../../src/live/index.js';
import { httpRequest, openSse } from './helpers.js';

const views: LiveView[] = [];
afterEach(async () => {
  await Promise.all(views.splice(0).map((v) => v.close()));
});

async function start(options: Partial<Parameters<typeof serveLiveView>[0]> = {}) {
  const view = await serveLiveView({ eventBus: new EventBus(), ...options });
  views.push(view);
  return view;
}

const TOKEN = 's3cret-token_with.symbols~!';

describe('where the view listens', () => {
  it('listens on 127.0.0.1 by default, on a free port, and says so in its url', async () => {
    const view = await start();
    expect(view.host).toBe('127.0.0.1');
    expect(view.port).toBeGreaterThan(0);
    expect(view.url).toBe(`http://127.0.0.1:${view.port}/`);
    expect((await httpRequest(view.url)).status).toBe(200);
  });

  it('serves IPv6 loopback with a bracketed url', async () => {
    const view = await start({ host: '::1' });
    expect(view.url).toBe(`http://[::1]:${view.port}/`);
    expect((await httpRequest(view.url)).status).toBe(200);
  });

  it('refuses a host that is not loopback without a token, saying why and how to fix it', async () => {
    await expect(serveLiveView({ eventBus: new EventBus(), host: '0.0.0.0' })).rejects.toThrow(
      /serveLiveView: `host` `"0\.0\.0\.0"` \(string\) is not a loopback address, so a `token` is required.*Pass token: crypto\.randomUUID\(\)/,
    );
  });

  it('serves every interface with a token; the url opens on this machine and carries the token', async () => {
    const view = await start({ host: '0.0.0.0', token: TOKEN });
    expect(view.url).toBe(`http://127.0.0.1:${view.port}/?token=${encodeURIComponent(TOKEN)}`);
    expect((await httpRequest(view.url)).status).toBe(200);
    expect((await httpRequest(`http://127.0.0.1:${view.port}/`)).status).toBe(401);
  });
});

describe('the token', () => {
  it('answers 401 to every request without the right token, whatever its path or method', async () => {
    const view = await start({ token: TOKEN });
    const base = `http://127.0.0.1:${view.port}`;
    for (const [path, method] of [
      ['/', 'GET'],
      ['/events', 'GET'],
      ['/api/states', 'GET'],
      ['/nothing', 'GET'],
      ['/', 'POST'],
      ['/', 'OPTIONS'],
    ] as const) {
      const answer = await httpRequest(base + path, { method });
      expect({ path, method, status: answer.status }).toEqual({ path, method, status: 401 });
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="rh-agents live view"');
      expect(answer.body).toContain('needs its token');
    }
    for (const wrong of ['?token=wrong', `?token=${encodeURIComponent(TOKEN)}x`, '?token=']) {
      expect((await httpRequest(`${base}/${wrong}`)).status).toBe(401);
    }
    const badHeader = await httpRequest(`${base}/`, {
      headers: { Authorization: `Basic ${TOKEN}` },
    });
    expect(badHeader.status).toBe(401);
    expect(view.connections).toBe(0);
  });

  it('accepts the token as a Bearer header or as ?token=, for the page, the stream and the API', async () => {
    const view = await start({ token: TOKEN });
    const base = `http://127.0.0.1:${view.port}`;
    const q = `?token=${encodeURIComponent(TOKEN)}`;
    expect((await httpRequest(`${base}/${q}`)).status).toBe(200);
    const bearer = { Authorization: `Bearer ${TOKEN}` };
    expect((await httpRequest(`${base}/`, { headers: bearer })).status).toBe(200);
    expect((await httpRequest(`${base}/api/states`, { headers: bearer })).status).toBe(404);
    const stream = await openSse(`${base}/events${q}`);
    expect(stream.response.statusCode).toBe(200);
    stream.close();
    const byHeader = await openSse(`${base}/events`, bearer);
    expect(byHeader.response.statusCode).toBe(200);
    byHeader.close();
  });

  it('refuses a token that cannot travel in a header or a URL', async () => {
    for (const token of ['', 'has space', 'new\nline', 42]) {
      await expect(
        serveLiveView({ eventBus: new EventBus(), token: token as string }),
      ).rejects.toThrow(/expected `token` to be a non-empty string of visible ASCII characters/);
    }
  });
});

describe('requests the view refuses', () => {
  it('answers only GET: other methods get 405 with Allow: GET', async () => {
    const view = await start();
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']) {
      const answer = await httpRequest(view.url, { method });
      expect({ method, status: answer.status, allow: answer.headers.allow }).toEqual({
        method,
        status: 405,
        allow: 'GET',
      });
    }
  });

  it('sends no CORS headers, also to a cross-origin request or preflight', async () => {
    const view = await start();
    const origin = { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' };
    for (const [path, method] of [
      ['', 'GET'],
      ['events', 'OPTIONS'],
      ['api/states', 'GET'],
    ] as const) {
      const answer = await httpRequest(new URL(path, view.url).toString(), {
        method,
        headers: origin,
      });
      const cors = Object.keys(answer.headers).filter((h) => h.startsWith('access-control-'));
      expect(cors).toEqual([]);
    }
  });

  it('answers 403 to a Host header that is not this machine (DNS rebinding), without a token', async () => {
    const view = await start();
    const answer = await httpRequest(view.url, { headers: { Host: `evil.example:${view.port}` } });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('only requests addressed to this machine');
    for (const host of [`localhost:${view.port}`, `127.0.0.1:${view.port}`, `[::1]:${view.port}`]) {
      expect((await httpRequest(view.url, { headers: { Host: host } })).status).toBe(200);
    }
  });

  it('answers 404 with the paths it serves', async () => {
    const view = await start();
    const answer = await httpRequest(new URL('/secrets', view.url).toString());
    expect(answer.status).toBe(404);
    expect(answer.body).toContain('The live view serves /, /events and /api/states');
  });

  it('sends the page with a strict Content-Security-Policy and no-store, nosniff, DENY, no-referrer', async () => {
    const view = await start();
    const answer = await httpRequest(view.url);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = answer.headers['content-security-policy'] as string;
    expect(csp).toMatch(
      /^default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; connect-src 'self'/,
    );
    expect(csp).not.toContain('unsafe-inline');
    expect(answer.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
  });
});
