/** The actor of bench/distributed.ts, known to the coordinator and to its workers. */
import { z } from 'zod';
import { Tool } from '../src/index.js';

export const tiny = new Tool({
  name: 'Tiny',
  inputSchema: z.object({ i: z.number() }),
  retry: { enabled: false },
  handler: ({ i }) => ({ i }),
});
