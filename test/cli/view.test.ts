/**
 * `rh-agents view <store>`: the real bin in a child process serves the live view page for a store
 * of states, prints its URL, and closes cleanly on SIGINT and SIGTERM.
 */
import { createServer, type Server } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { runBin, useStores, startView } from './helpers.js';

// Each test spawns processes; on a busy 2-core machine one takes 1 to 3 s.
vi.setConfig({ testTimeout: 90_000 });
const stores = useStores();

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

describe('rh-agents view', () => {
  it.each([
    ['directory', 'SIGINT'],
    ['sqlite', 'SIGTERM'],
  ] as const)(
    'serves the states of a %s, prints its URL, and exits 0 on %s',
    async (kind, signal) => {
      const view = await startView([stores[kind]!]);
      const what = kind === 'sqlite' ? 'SQLite database' : 'directory';
      expect(view.stdout()).toBe(
        `rh-agents live view of 3 stored states in the ${what} ${stores[kind]!}:\n  ${view.url}\nPress Ctrl-C to stop.\n`,
      );
      expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const list = await getJson(new URL('/api/states', view.url).toString());
      expect(list.status).toBe(200);
      expect((list.body as { states: { stateId: string }[] }).states.map((s) => s.stateId)).toEqual(
        ['report-1', 'crawl_2', 'adhoc-3'],
      );
      const one = await getJson(new URL('/api/states/crawl_2', view.url).toString());
      expect(one.body).toMatchObject({
        stateId: 'crawl_2',
        status: 'failed',
        history: [{ address: 'Fetch::tool_call', result: { ok: true } }],
      });
      const page = await fetch(view.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>rh-agents: ');
      const exit = await view.stop(signal);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(view.stdout()).toMatch(/Press Ctrl-C to stop\.\nLive view closed\.\n$/);
      expect(view.stderr()).toBe('');
    },
  );

  it('takes its token from RH_AGENTS_TOKEN: the URL carries it, a request without it gets 401', async () => {
    const view = await startView([stores.directory!, '--host', 'localhost'], {
      env: { RH_AGENTS_TOKEN: 's3cret-token' },
    });
    expect(view.url).toMatch(/^http:\/\/localhost:\d+\/\?token=s3cret-token$/);
    const bare = new URL(view.url);
    bare.search = '';
    expect((await fetch(new URL('/api/states', bare))).status).toBe(401);
    const withToken = new URL('/api/states', view.url);
    withToken.search = '?token=s3cret-token';
    expect((await fetch(withToken)).status).toBe(200);
    expect(await view.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });

  it('refuses a host that is not loopback without a token (exit 2), and fails on a port in use (exit 1)', async () => {
    const open = runBin(['view', stores.directory!, '--host', '0.0.0.0']);
    expect(open.status).toBe(2);
    expect(open.stdout).toBe('');
    expect(open.stderr).toBe(
      "rh-agents: --host 0.0.0.0 is not a loopback address, so the view needs a token: without one, anyone who can reach this machine could read your stored states. Pass --token <secret> or set RH_AGENTS_TOKEN (the printed URL carries it), or leave --host out to listen on 127.0.0.1.\nRun 'rh-agents view --help' for usage.\n",
    );

    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const taken = runBin(['view', stores.sqlite!, '--port', String(port)]);
      expect(taken.status).toBe(1);
      expect(taken.stdout).toBe('');
      expect(taken.stderr).toMatch(
        new RegExp(
          `^rh-agents: The live view could not start: port ${port} on 127\\.0\\.0\\.1 is already in use \\(EADDRINUSE\\)`,
        ),
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
