/**
 * `state.settled()`: after an interrupt or a deadline, runs still in flight finish recording their
 * end; awaiting it is how a program knows it is the only writer of the state before loading it
 * elsewhere.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ExecutionState, Tool } from '../../src/index.js';
import { sleep } from '../parallel/helpers.js';

describe('state.settled()', () => {
  it('resolves at once when nothing runs', async () => {
    await expect(new ExecutionState().settled()).resolves.toBeUndefined();
  });

  it('waits for a run that ignores its signal after the group rejected', async () => {
    const stubborn = new Tool({
      name: 'Stubborn',
      inputSchema: z.object({}),
      retry: { enabled: false },
      handler: () => sleep(150).then(() => 'late'),
    });
    const state = new ExecutionState();
    const t0 = performance.now();
    await expect(
      state.parallel({ timeoutMs: 20 }, (p) => void p.add(state.run(stubborn, {}))),
    ).rejects.toThrow(/timed out/);
    expect(performance.now() - t0).toBeLessThan(140);
    expect(state.history.get('parallel[0]::Stubborn::tool_call')?.status).toBe('started');
    await state.settled();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    // The run recorded its own end (its handler returned; the group had dropped its result).
    expect(state.history.get('parallel[0]::Stubborn::tool_call')?.status).toBe('completed');
  });
});
