import { RhAgentsError } from '../index.js';

/**
 * The command line is wrong: an unknown command or option, a missing or malformed value, or a path
 * that is not a store of states. `rh-agents` prints the message, points at `--help`, and exits
 * with status 2.
 */
export class CliUsageError extends RhAgentsError {
  override name = 'CliUsageError';
  /** The exit status of a usage error. */
  readonly exitCode = 2;
  /** The command whose help the message points at, if any. */
  readonly command: string | undefined;
  constructor(
    message = "The command line is not one rh-agents understands; run 'rh-agents --help' for usage.",
    options?: {
      cause?: unknown;
      /** The command whose help the message points at (`states`, `view`), if any. */
      command?: string | undefined;
    },
  ) {
    super(message, options);
    this.command = options?.command;
  }
}
