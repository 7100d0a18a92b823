import { readFileSync } from 'node:fs';

/** `rh-agents --help`. */
export const MAIN_HELP = `Usage: rh-agents <command> <dir | file.db> [options]

Commands:
  states <dir | file.db>   list the stored states: id, pipeline, status, tags, last update
  view <dir | file.db>     serve the live view page for the stored states and print its URL

A store of states is the directory of a FileSystemStateBackend, or the SQLite file of a
SqliteStateBackend (.db, .sqlite or .sqlite3; reading it needs better-sqlite3 12).

Options:
  -h, --help      show this help; 'rh-agents <command> --help' shows a command's
  -v, --version   print the version of rh-agents

Examples:
  npx rh-agents states .rh-agents/states --tag nightly
  npx rh-agents view .rh-agents/states.db --port 8080
`;

/** `rh-agents states --help`. */
export const STATES_HELP = `Usage: rh-agents states <dir | file.db> [options]

Lists the states stored in a directory (FileSystemStateBackend) or a SQLite file
(SqliteStateBackend), newest first: id, pipeline, status, tags and last update (local time).

Options:
  --tag <tag>         only the states with this tag
  --pipeline <name>   only the states of this pipeline
  --json              print them as JSON: an array of { stateId, pipeline?, tags, status,
                      createdAt, updatedAt }, times in epoch milliseconds
  -h, --help          show this help
`;

/** `rh-agents view --help`. */
export const VIEW_HELP = `Usage: rh-agents view <dir | file.db> [options]

Serves the live view page for the states stored in a directory (FileSystemStateBackend) or a
SQLite file (SqliteStateBackend): it lists them and shows any one's history. Prints the page's
URL, then serves until Ctrl-C (SIGINT) or SIGTERM.

Options:
  --port <n>         the port to listen on; 0 picks a free one (default: 0)
  --host <host>      the interface to listen on (default: 127.0.0.1); a host that is not
                     loopback (e.g. 0.0.0.0) needs a token
  --token <secret>   a secret every request must carry; the printed URL carries it
                     (default: the RH_AGENTS_TOKEN environment variable)
  -h, --help         show this help
`;

/** The help of each command. */
export const COMMAND_HELP: Readonly<Record<string, string>> = Object.freeze({
  states: STATES_HELP,
  view: VIEW_HELP,
});

/** The version of this rh-agents, from its package.json (two levels up from `src/cli/` and `dist/cli/`). */
export function version(): string {
  const file = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
