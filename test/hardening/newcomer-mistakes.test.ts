/**
 * The lazy-run mistake is hard to miss (issue 7, item 17): a run that is never awaited nor handed
 * to a group warns when it is collected, and `p.add(promise)` is a readable compile-time error.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ExecutionState, Tool } from '../../src/index.js';
import { collectSnippets, typeCheckSnippets } from '../docs/snippet-checker.js';
import { sleep, watchProcess } from '../parallel/helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const fetchDoc = new Tool({
  name: 'ForgottenFetch',
  inputSchema: z.object({ id: z.string() }),
  handler: ({ id }) => id,
});

async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    gc();
    await sleep(10);
  }
}

describe('a lazy run that never starts', () => {
  it('warns, naming the actor, once it is garbage-collected', async () => {
    const watcher = watchProcess();
    const state = new ExecutionState();
    (() => {
      state.run(fetchDoc, { id: '1' }); // the mistake: neither awaited nor added
    })();
    await collectGarbage();
    const { warnings } = watcher.stop();
    const lazy = warnings.filter((w) => w.name === 'RhAgentsLazyRunWarning');
    expect(lazy).toHaveLength(1);
    expect(lazy[0]?.message).toMatch(
      /^A run of ForgottenFetch \(state\.run\) was never awaited nor handed to a parallel group, so it never ran\./,
    );
  });

  it('runs that were awaited or added to a group never warn', async () => {
    const watcher = watchProcess();
    const state = new ExecutionState();
    await (async () => {
      await state.run(fetchDoc, { id: 'a' });
      await state.parallel({}, (p) => void p.add(state.run(fetchDoc, { id: 'b' })));
    })();
    await collectGarbage();
    const { warnings } = watcher.stop();
    expect(warnings.filter((w) => w.name === 'RhAgentsLazyRunWarning')).toEqual([]);
  });
});

describe('p.add(promise) at compile time', () => {
  it('is an error that says what to write instead', () => {
    const page = {
      file: 'mistake.md',
      text: [
        '```ts',
        "import { ExecutionState } from 'rh-agents';",
        'const state = new ExecutionState();',
        'const p = state.parallel<number>();',
        'p.add(Promise.resolve(1));',
        'p.add(async ({ signal }) => (signal.aborted ? 0 : 1));',
        '```',
      ].join('\n'),
    };
    const { snippets } = collectSnippets([page]);
    const failures = typeCheckSnippets(snippets, root);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.line).toBe(5);
    expect(failures[0]?.message).toContain(
      'p.add() cannot limit or retry a promise that is already running: pass a function instead, p.add(() => work())',
    );
    expect(failures[0]?.message).not.toMatch(/#promise|#claimed/);
  });
});
