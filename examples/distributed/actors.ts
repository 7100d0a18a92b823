/**
 * The actors of the distributed example. The coordinator and every worker import this same file:
 * a worker finds an actor by its name and event type, so both sides must agree on them.
 */
import { z } from 'zod';
import { Tool } from '../../src/index.js';

export const summarize = new Tool({
  name: 'Summarize',
  description: 'Summarizes one document (here: its first words)',
  inputSchema: z.object({ id: z.string(), text: z.string() }),
  retry: { maxAttempts: 2, initialDelayMs: 200 },
  handler: async ({ id, text }, _context, state) => {
    // The signal aborts on the worker when the coordinator's group is cancelled or times out.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, 200);
      state.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(state.signal.reason);
      });
    });
    return { id, summary: text.split(' ').slice(0, 4).join(' '), pid: process.pid };
  },
});
