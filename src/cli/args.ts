import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './errors.js';
import { visible } from './text.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A command's arguments: its option values and the one path it takes. */
export interface CommandArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** The store of states; `undefined` only with `--help`. */
  path: string | undefined;
}

function optionList(options: Options): string {
  return Object.entries(options)
    .map(([name, o]) => (o.short === undefined ? `--${name}` : `--${name} (-${o.short})`))
    .join(', ');
}

/** Why `parseArgs` refused the arguments, as the user reads it. */
function explain(error: Error & { code?: string }, command: string, options: Options): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  const flag = visible(quoted.replace(/ <value>$/, ''));
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${flag}' for 'rh-agents ${command}'; its options are ${optionList(options)}.`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing|ambiguous/.test(error.message)
        ? `option ${flag} needs a value, e.g. ${flag} ${flag === '--port' ? '8080' : 'value'}.`
        : `option ${flag} takes no value; write ${flag} on its own.`;
    default:
      return `${error.message}.`;
  }
}

/**
 * Parses the arguments after the command: its options (strict: an unknown one is refused) and
 * exactly one path, unless `--help` was given. Throws a `CliUsageError` saying what is wrong.
 */
export function parseCommandArgs(
  command: string,
  args: readonly string[],
  options: Options,
  pathHint: string,
): CommandArgs {
  let parsed: { values: CommandArgs['values']; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliUsageError(explain(error as Error, command, options), { cause: error, command });
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { values, path: undefined };
  if (positionals.length === 0) {
    throw new CliUsageError(
      `'rh-agents ${command}' needs the store of states: a directory (FileSystemStateBackend) or a SQLite file (SqliteStateBackend), e.g. rh-agents ${command} ${pathHint}.`,
      { command },
    );
  }
  if (positionals.length > 1) {
    throw new CliUsageError(
      `'rh-agents ${command}' takes one store of states, got ${positionals.length}: ${positionals.map((p) => `'${visible(p)}'`).join(', ')}. Quote a path that has spaces.`,
      { command },
    );
  }
  return { values, path: positionals[0] };
}

/** The value of an option given at most once (declared `multiple`, so a repeat can be refused), not empty. */
export function single(
  command: string,
  name: string,
  value: CommandArgs['values'][string],
): string | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length > 1) {
    throw new CliUsageError(`give --${name} once; it was given ${list.length} times.`, {
      command,
    });
  }
  const text = String(list[0]);
  if (text.trim() === '') {
    throw new CliUsageError(`--${name} needs a value that is not empty.`, { command });
  }
  return text;
}

/** `--port`: a whole number from 0 to 65535 (0: the system picks a free port). */
export function parsePort(command: string, value: string | undefined): number {
  if (value === undefined) return 0;
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new CliUsageError(
      `--port must be a whole number from 0 to 65535 (0 picks a free port), got '${visible(value)}'.`,
      { command },
    );
  }
  return port;
}
