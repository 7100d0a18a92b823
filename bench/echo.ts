/** The trivial actor the run benchmarks use: a Tool echoing its number, retries off. */
import { z } from 'zod';
import { ExecutionEvent, Tool } from '../src/index.js';

export const echo = new Tool({
  name: 'Echo',
  inputSchema: z.object({ i: z.number() }),
  handler: (input) => input.i,
  retry: { enabled: false },
});

/** `echoRun.run({ i }, undefined, state)`: one run of `echo`. */
export const echoRun = new ExecutionEvent({ actor: echo });
