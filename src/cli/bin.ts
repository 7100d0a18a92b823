/** The `rh-agents` executable (`bin/rh-agents.js` loads the built copy of this file). */
import { runCli } from './main.js';

// A reader that went away (`rh-agents states … | head -3`) is not a failure of the command.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
