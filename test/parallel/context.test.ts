import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { ExecutionState, type ExecutionRecord } from '../../src/index.js';
import { makeAgent, makeTool, recordingState, sleep } from './helpers.js';

describe('branch context on execution records', () => {
  it('tags every run inside a branch, at any depth, with groupId, parallelIndex and isParallel', async () => {
    const { state, executions } = recordingState();
    const lookup = makeTool('Lookup', async (v) => {
      await sleep(v % 3);
      return v * 2;
    });
    const researcher = makeAgent('Researcher', async (v, st) => {
      const a = await st.run(lookup, { value: v });
      const b = await st.run(lookup, { value: v + 1 });
      return [a.result, b.result];
    });
    await state.run(lookup, { value: 0 }); // outside any branch
    const results = await state.parallel({ name: 'Team' }, (p) => {
      for (let i = 0; i < 3; i++) p.add(state.run(researcher, { value: i }));
    });
    expect(results.map((r) => r.result)).toEqual([
      [0, 2],
      [2, 4],
      [4, 6],
    ]);
    const records = executions();
    const outside = records.filter((r) => r.address === 'Lookup::tool_call');
    expect(outside.length).toBeGreaterThan(0);
    for (const r of outside) {
      expect(r.isParallel).toBe(false);
      expect(r.groupId).toBeUndefined();
      expect(r.parallelIndex).toBeUndefined();
    }
    const inside = records.filter((r) => r.address.startsWith('Team['));
    // 3 agents + 6 tools, each started + completed
    expect(inside).toHaveLength(18);
    for (const r of inside) {
      expect(r.isParallel).toBe(true);
      expect(r.groupId).toBe('Team');
      expect(r.address.startsWith(`Team[${r.parallelIndex}]::Researcher`)).toBe(true);
    }
    const toolAddresses = inside
      .filter((r) => r.actor.name === 'Lookup' && r.status === 'started')
      .map((r) => r.address)
      .sort();
    expect(toolAddresses).toEqual([
      'Team[0]::Researcher::Lookup#2::tool_call',
      'Team[0]::Researcher::Lookup::tool_call',
      'Team[1]::Researcher::Lookup#2::tool_call',
      'Team[1]::Researcher::Lookup::tool_call',
      'Team[2]::Researcher::Lookup#2::tool_call',
      'Team[2]::Researcher::Lookup::tool_call',
    ]);
    // every address is unique and lands in history
    const started = records.filter((r) => r.status === 'started').map((r) => r.address);
    expect(new Set(started).size).toBe(started.length);
    for (const address of started) expect(state.history.hasCompleted(address)).toBe(true);
  });

  it('a function task returning state.run(…) runs inside the branch', async () => {
    const { state, executions } = recordingState();
    const tool = makeTool('Echo', (v) => v);
    await state.parallel({ name: 'Fn' }, (p) => {
      p.add(() => state.run(tool, { value: 1 }));
      p.add(async () => (await state.run(tool, { value: 2 })).result);
    });
    const started = executions().filter((r) => r.status === 'started');
    expect(started.map((r) => [r.address, r.parallelIndex, r.isParallel])).toEqual([
      ['Fn[0]::Echo::tool_call', 0, true],
      ['Fn[1]::Echo::tool_call', 1, true],
    ]);
  });

  it('a nested group tags runs with the innermost group', async () => {
    const { state, executions } = recordingState();
    const tool = makeTool('Leaf', (v) => v);
    await state.parallel({ name: 'Out' }, (p) => {
      p.add(() =>
        state.parallel({ name: 'In' }, (q) => {
          q.add(state.run(tool, { value: 1 }));
          q.add(state.run(tool, { value: 2 }));
        }),
      );
    });
    const started = executions().filter((r) => r.status === 'started');
    expect(started.map((r) => [r.address, r.groupId, r.parallelIndex])).toEqual([
      ['Out[0]::In[0]::Leaf::tool_call', 'Out[0]::In', 0],
      ['Out[0]::In[1]::Leaf::tool_call', 'Out[0]::In', 1],
    ]);
  });

  it('a run after the group, in the opener, is not parallel', async () => {
    const { state, executions } = recordingState();
    const tool = makeTool('After', (v) => v);
    await state.parallel({}, (p) => p.add(() => 1));
    await state.run(tool, { value: 1 });
    const record = executions().find((r) => r.status === 'completed') as ExecutionRecord;
    expect(record).toMatchObject({ isParallel: false, address: 'After::tool_call' });
  });
});

describe('deterministic group ids and addresses', () => {
  async function program(): Promise<{ groups: string[]; addresses: string[] }> {
    const { state, executions, groupEvents } = recordingState();
    const tool = makeTool('Step', async (v) => {
      await sleep(Math.floor(Math.random() * 4));
      return v;
    });
    const agent = makeAgent('Worker', async (v, st) => {
      await st.run(tool, { value: v });
      await st.parallel({}, (q) => {
        for (let i = 0; i < 3; i++) q.add(st.run(tool, { value: i }));
      });
      return v;
    });
    await state.parallel({ maxWorkers: 3 }, (p) => {
      for (let i = 0; i < 4; i++) p.add(state.run(agent, { value: i }));
    });
    await state.parallel({ maxWorkers: 2 }, (p) => {
      for (let i = 0; i < 3; i++) p.add(state.run(tool, { value: i }));
    });
    await state.parallel({ name: 'Named' }, (p) => p.add(state.run(tool, { value: 0 })));
    return {
      groups: [
        ...new Set(
          groupEvents()
            .filter((e) => e.type === 'started')
            .map((e) => e.groupId),
        ),
      ].sort(),
      addresses: executions()
        .filter((r) => r.status === 'started')
        .map((r) => r.address)
        .sort(),
    };
  }

  it('the same program twice on fresh states gives the same ids and addresses despite random delays', async () => {
    const first = await program();
    const second = await program();
    expect(second).toEqual(first);
    expect(first.groups).toContain('parallel');
    expect(first.groups).toContain('parallel#2');
    expect(first.groups).toContain('Named');
    expect(first.groups).toContain('parallel[0]::Worker::parallel');
    expect(new Set(first.addresses).size).toBe(first.addresses.length);
    expect(first.addresses).toHaveLength(4 + 4 + 12 + 3 + 1);
  });

  it('repeated unnamed groups at the top level get #2, #3', () => {
    const state = new ExecutionState();
    expect(state.parallel().groupId).toBe('parallel');
    expect(state.parallel().groupId).toBe('parallel#2');
    expect(state.parallel({ name: 'X' }).groupId).toBe('X');
    expect(state.parallel({ name: 'X' }).groupId).toBe('X#2');
    expect(state.parallel().groupId).toBe('parallel#3');
  });
});

describe('signals', () => {
  it('TaskContext.signal and state.signal inside a branch abort with the group', async () => {
    const state = new ExecutionState();
    let ctxSignal: AbortSignal | undefined;
    let stateSignal: AbortSignal | undefined;
    const p = state.parallel();
    p.add(async ({ signal }) => {
      ctxSignal = signal;
      stateSignal = state.signal;
      await sleep(5_000, signal).catch(() => {});
    });
    await sleep(5);
    expect(ctxSignal?.aborted).toBe(false);
    expect(stateSignal?.aborted).toBe(false);
    p.cancel('bye');
    await p.settled();
    expect(ctxSignal?.aborted).toBe(true);
    expect(stateSignal?.aborted).toBe(true);
    expect(ctxSignal?.reason).toBeInstanceOf(Error);
    // the state's own signal, outside the branch, is untouched
    expect(state.signal.aborted).toBe(false);
  });

  it('a run inside a branch whose group already ended is cancelled without calling its handler', async () => {
    const { state, executions } = recordingState();
    let handlerCalls = 0;
    const tool = makeTool('Late', () => {
      handlerCalls++;
    });
    const p = state.parallel();
    p.add(async ({ signal }) => {
      await sleep(5_000, signal).catch(() => {});
      return state.run(tool, { value: 1 });
    });
    await sleep(5);
    p.cancel();
    await p.settled();
    expect(handlerCalls).toBe(0);
    expect(executions().map((r) => r.status)).toEqual(['cancelled']);
  });
});

describe("the user's own AsyncLocalStorage", () => {
  it('reaches the tasks of a group opened inside als.run()', async () => {
    const als = new AsyncLocalStorage<string>();
    const state = new ExecutionState();
    const seen = await als.run('request-42', () =>
      state.parallel({ maxWorkers: 1 }, (p) => {
        for (let i = 0; i < 3; i++)
          p.add(async () => {
            await sleep(1);
            return als.getStore();
          });
      }),
    );
    expect(seen.map((r) => r.result)).toEqual(['request-42', 'request-42', 'request-42']);
  });

  it('reaches tasks started from a slot freed by another group (maxConcurrency)', async () => {
    const als = new AsyncLocalStorage<string>();
    const state = new ExecutionState({ maxConcurrency: 1 });
    const run = (label: string) =>
      als.run(label, () =>
        state.parallel({ maxWorkers: 2 }, (p) => {
          for (let i = 0; i < 3; i++)
            p.add(async () => {
              await sleep(1);
              return als.getStore();
            });
        }),
      );
    const [a, b] = await Promise.all([run('A'), run('B')]);
    expect(a?.map((r) => r.result)).toEqual(['A', 'A', 'A']);
    expect(b?.map((r) => r.result)).toEqual(['B', 'B', 'B']);
  });

  it('each task sees the context in effect where it was added, like p-limit', async () => {
    const als = new AsyncLocalStorage<string>();
    const state = new ExecutionState();
    const p = state.parallel<string | undefined>({ maxWorkers: 1 });
    const task = async (): Promise<string | undefined> => {
      await sleep(1);
      return als.getStore();
    };
    for (const id of ['a', 'b', 'c']) als.run(id, () => p.add(task));
    await sleep(2);
    als.run('d', () => p.add(task));
    p.add(task); // added outside any als.run()
    const results = await p.gather();
    expect(results.map((r) => r.result)).toEqual(['a', 'b', 'c', 'd', undefined]);
  });

  it('reaches lazy runs and the actors they call', async () => {
    const als = new AsyncLocalStorage<number>();
    const state = new ExecutionState();
    const tool = makeTool('Reader', () => als.getStore());
    const results = await als.run(7, () =>
      state.parallel({}, (p) => {
        p.add(state.run(tool, { value: 0 }));
      }),
    );
    expect(results[0]?.result).toBe(7);
  });
});
