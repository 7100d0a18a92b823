/**
 * The `rh-agents` command line: `rh-agents states <store>` lists stored states, `rh-agents view
 * <store>` serves the live view page for them. See docs/cli.md.
 */
import { CliUsageError } from './errors.js';
import { COMMAND_HELP, MAIN_HELP, version } from './help.js';
import type { CliIo } from './io.js';
import { statesCommand } from './states-command.js';
import { visible } from './text.js';
import { viewCommand } from './view-command.js';

export type { CliIo, CliStream } from './io.js';
export { CliUsageError } from './errors.js';

const COMMANDS: Readonly<Record<string, (args: readonly string[], io: CliIo) => Promise<number>>> =
  Object.freeze({ states: statesCommand, view: viewCommand });

/** Prints why the command failed and returns its exit status: 2 for usage errors, else 1. */
function report(error: unknown, io: CliIo): number {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof CliUsageError) {
    const help = error.command === undefined ? '--help' : `${error.command} --help`;
    io.stderr.write(`rh-agents: ${message}\nRun 'rh-agents ${help}' for usage.\n`);
    return error.exitCode;
  }
  io.stderr.write(`rh-agents: ${message}\n`);
  return 1;
}

/**
 * Runs the command line `argv` (the arguments after `rh-agents`) and resolves to the exit status:
 * 0 when it did what was asked, 1 when it failed (a store that cannot be read, better-sqlite3
 * missing, a port in use), 2 for a command line it does not understand. Never rejects.
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    ...io,
  };
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      full.stderr.write(MAIN_HELP);
      return 2;
    }
    if (first === '-h' || first === '--help') {
      full.stdout.write(MAIN_HELP);
      return 0;
    }
    if (first === '-v' || first === '--version') {
      full.stdout.write(`${version()}\n`);
      return 0;
    }
    if (first === 'help') {
      const topic = rest[0];
      full.stdout.write(
        topic !== undefined && Object.hasOwn(COMMAND_HELP, topic)
          ? COMMAND_HELP[topic]!
          : MAIN_HELP,
      );
      return 0;
    }
    const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
    if (command === undefined) {
      throw new CliUsageError(
        first.startsWith('-')
          ? `unknown option '${visible(first)}'; the options before a command are --help and --version.`
          : `unknown command '${visible(first)}'; the commands are 'states' and 'view'.`,
      );
    }
    return await command(rest, full);
  } catch (error) {
    return report(error, full);
  }
}
