/**
 * A restored state replays completed model calls and tool calls instead of repeating them
 * (issue 10): the resumed agent sends no model request that had been answered before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatLLM, ToolAgent } from '../../src/ai/index.js';
import { ExecutionState, FileSystemStateBackend, Tool } from '../../src/index.js';
import { collect, records, simulated } from './helpers.js';
import { sleep } from '../helpers/sleep.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a ToolAgent on a restored state', () => {
  it('replays the model calls and tool calls that completed, and asks the model only for what is left', async () => {
    const { server, model } = await simulated();
    const dir = mkdtempSync(join(tmpdir(), 'rh-agents-ai-resume-'));
    dirs.push(dir);
    const stateBackend = new FileSystemStateBackend({ dir });
    const reads: string[] = [];
    let slow = true;
    const readDoc = new Tool({
      name: 'ReadDoc',
      description: 'Reads one document by id',
      inputSchema: z.object({ id: z.enum(['a', 'b', 'c']) }),
      retry: { enabled: false },
      handler: async ({ id }, _context, state) => {
        reads.push(id);
        // On the first run, document c takes long enough for the interrupt to land.
        await sleep(id === 'c' && slow ? 2_000 : 5, state.signal);
        return { id, text: `contents of ${id}` };
      },
    });
    const agent = new ToolAgent({
      name: 'Researcher',
      llm: new ChatLLM({ name: 'Writer', model }),
      tools: [readDoc],
    });

    const first = new ExecutionState({ stateId: 'agent-resume', stateBackend });
    // Interrupted once documents a and b were read (and recorded), while c is still being read.
    let done = 0;
    first.eventBus.subscribe((e) => {
      if (e.kind === 'execution' && e.actor.name === 'ReadDoc' && e.status === 'completed')
        if (++done === 2) first.requestInterrupt('the operator stopped it');
    });
    const stopped = await first.run(agent, { prompt: 'Read every document' });
    expect(stopped.ok).toBe(false);
    const requestsBefore = server.requests.length;
    expect(requestsBefore).toBe(1); // the first model step asked for the three documents
    expect([...reads].sort()).toEqual(['a', 'b', 'c']);

    slow = false;
    reads.length = 0;
    const resumed = await ExecutionState.load('agent-resume', { stateBackend });
    const events = collect(resumed);
    const result = await resumed.run(agent, { prompt: 'Read every document' });
    expect(result.ok).toBe(true);
    // The first model call was replayed: the resumed run sent only the second step's request.
    expect(server.requests.length - requestsBefore).toBe(1);
    const secondRequest = server.requests.at(-1)?.body;
    expect((secondRequest?.messages ?? []).filter((m) => m.role === 'tool')).toHaveLength(3);
    // Documents a and b were read before the interrupt: replayed, not read again.
    expect(reads).toEqual(['c']);
    const recovered = records(events)
      .filter((r) => r.status === 'recovered')
      .map((r) => r.address)
      .sort();
    expect(recovered).toEqual([
      'Researcher::Tools[0]::ReadDoc::tool_call',
      'Researcher::Tools[1]::ReadDoc::tool_call',
      'Researcher::Writer::llm_call',
    ]);
    await stateBackend.close();
  });
});
