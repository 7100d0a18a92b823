/** The `rh-agents` executable (`bin/rh-agents.js` loads the built copy of this file). */
import { runCli } from './main.js';

process.exitCode = await runCli(process.argv.slice(2));
