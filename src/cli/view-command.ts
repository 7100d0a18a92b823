import { basename } from 'node:path';
import { EventBus } from '../index.js';
import { isLoopbackHost, serveLiveView, type LiveView } from '../live/index.js';
import { parseCommandArgs, parsePort, single } from './args.js';
import { CliUsageError } from './errors.js';
import { VIEW_HELP } from './help.js';
import type { CliIo } from './io.js';
import { openStore } from './open-store.js';
import { visible } from './text.js';

/** What a token may be: visible ASCII without spaces, as the live view requires. */
const TOKEN = /^[\x21-\x7e]+$/;

/**
 * Resolves when the process gets SIGINT or SIGTERM, or `signal` aborts; the listeners are removed
 * then, so a second Ctrl-C while the view closes ends the process the usual way.
 */
function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    signal?.addEventListener('abort', stop);
    if (signal?.aborted === true) stop();
  });
}

/** The token: `--token`, else `RH_AGENTS_TOKEN` (when not empty); checked as the live view checks it. */
function tokenOf(option: string | undefined, env: CliIo['env']): string | undefined {
  const fromEnv = env.RH_AGENTS_TOKEN === '' ? undefined : env.RH_AGENTS_TOKEN;
  const token = option ?? fromEnv;
  if (token !== undefined && !TOKEN.test(token)) {
    const where = option === undefined ? 'RH_AGENTS_TOKEN' : '--token';
    throw new CliUsageError(
      `${where} must be visible ASCII characters without spaces (e.g. the output of \`node -p "crypto.randomUUID()"\`), got '${visible(token)}'.`,
      { command: 'view' },
    );
  }
  return token;
}

/** `rh-agents view <dir | file.db> [--port n] [--host h] [--token t]`: serves until stopped. */
export async function viewCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, path } = parseCommandArgs(
    'view',
    args,
    {
      port: { type: 'string', multiple: true },
      host: { type: 'string', multiple: true },
      token: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    '.rh-agents/states',
  );
  if (path === undefined) {
    io.stdout.write(VIEW_HELP);
    return 0;
  }
  const port = parsePort('view', single('view', 'port', values.port));
  const host = single('view', 'host', values.host) ?? '127.0.0.1';
  const token = tokenOf(single('view', 'token', values.token), io.env);
  if (token === undefined && !isLoopbackHost(host)) {
    throw new CliUsageError(
      `--host ${visible(host)} is not a loopback address, so the view needs a token: without one, anyone who can reach this machine could read your stored states. Pass --token <secret> or set RH_AGENTS_TOKEN (the printed URL carries it), or leave --host out to listen on 127.0.0.1.`,
      { command: 'view' },
    );
  }
  const store = openStore(path, { cwd: io.cwd, command: 'view' });
  let view: LiveView | undefined;
  try {
    // Read the store once first, so a store that cannot be listed fails now, not in the browser.
    const count = (await store.backend.list()).length;
    view = await serveLiveView({
      eventBus: new EventBus(),
      stateBackend: store.backend,
      port,
      host,
      token,
      title: `rh-agents: ${basename(store.path)}`,
    });
    const what = store.kind === 'sqlite' ? 'SQLite database' : 'directory';
    io.stdout.write(
      `rh-agents live view of ${count} stored state${count === 1 ? '' : 's'} in the ${what} ${visible(store.path)}:\n` +
        `  ${view.url}\n` +
        'Press Ctrl-C to stop.\n',
    );
    await untilStopped(io.signal);
    io.stdout.write('Live view closed.\n');
    return 0;
  } finally {
    await view?.close();
    await store.backend.close();
  }
}
