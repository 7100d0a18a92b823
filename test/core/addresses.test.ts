import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, ExecutionEvent, ExecutionState, Tool } from '../../src/index.js';
import { collect, delay, echoTool } from './helpers.js';

const empty = z.object({});

/** A tool that returns the address it ran at. */
const whereAmI = (name: string) =>
  new Tool({ name, inputSchema: empty, handler: (_i, _c, state) => state.currentAddress });

const startedAddresses = (state: ExecutionState) =>
  state.history.events.filter((r) => r.status === 'started').map((r) => r.address);

describe('addresses: unique', () => {
  it('are `Name::event_type` at the top level, `Name#2`, `Name#3` for repeats', async () => {
    const state = new ExecutionState();
    const tool = whereAmI('Fetch');
    expect((await state.run(tool, {})).result).toBe('Fetch::tool_call');
    expect((await state.run(tool, {})).result).toBe('Fetch#2::tool_call');
    expect((await state.run(tool, {})).result).toBe('Fetch#3::tool_call');
    expect(state.history.addresses()).toEqual([
      'Fetch::tool_call',
      'Fetch#2::tool_call',
      'Fetch#3::tool_call',
    ]);
  });

  it('nest as `Parent::Child::tool_call`, repeats under one parent get `Child#2`', async () => {
    const child = whereAmI('Child');
    const llm = new Tool({ name: 'Think', inputSchema: empty, handler: () => 'hm' });
    const stage = new Agent({
      name: 'Stage',
      inputSchema: empty,
      handler: async (_i, _c, state) => (await state.run(child, {})).result,
    });
    const parent = new Agent({
      name: 'Parent',
      inputSchema: empty,
      handler: async (_i, _c, state) => {
        const own = state.currentAddress;
        const a = (await state.run(child, {})).result;
        const b = (await state.run(child, {})).result;
        await state.run(llm, {});
        const deep = (await state.run(stage, {})).result;
        return { own, a, b, deep };
      },
    });
    const state = new ExecutionState();
    const result = await state.run(parent, {});
    expect(result.result).toEqual({
      own: 'Parent::agent_call',
      a: 'Parent::Child::tool_call',
      b: 'Parent::Child#2::tool_call',
      deep: 'Parent::Stage::Child::tool_call',
    });
    expect(startedAddresses(state)).toEqual([
      'Parent::agent_call',
      'Parent::Child::tool_call',
      'Parent::Child#2::tool_call',
      'Parent::Think::tool_call',
      'Parent::Stage::agent_call',
      'Parent::Stage::Child::tool_call',
    ]);
    expect(state.currentAddress).toBeUndefined();
  });

  it('a second run of the same parent numbers its own children afresh', async () => {
    const child = whereAmI('Child');
    const parent = new Agent({
      name: 'P',
      inputSchema: empty,
      handler: async (_i, _c, state) => (await state.run(child, {})).result,
    });
    const state = new ExecutionState();
    expect((await state.run(parent, {})).result).toBe('P::Child::tool_call');
    expect((await state.run(parent, {})).result).toBe('P#2::Child::tool_call');
  });

  it('concurrent runs at the top level (Promise.all) get distinct addresses and their own results', async () => {
    const state = new ExecutionState();
    const echo = echoTool();
    const event = new ExecutionEvent({ actor: echo });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 ? state.run(echo, { value: i }) : event.run({ value: i }, undefined, state),
      ),
    );
    expect(results.map((r) => r.result)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    const addresses = startedAddresses(state);
    expect(new Set(addresses).size).toBe(10);
    expect(addresses[0]).toBe('Echo::tool_call');
    expect(addresses).toContain('Echo#10::tool_call');
  });

  it('concurrent children of one parent (Promise.all) are unique too', async () => {
    const child = whereAmI('Child');
    const parent = new Agent({
      name: 'P',
      inputSchema: empty,
      handler: async (_i, _c, state) =>
        (await Promise.all([state.run(child, {}), state.run(child, {}), state.run(child, {})])).map(
          (r) => r.result,
        ),
    });
    const result = await new ExecutionState().run(parent, {});
    expect(result.result).toEqual([
      'P::Child::tool_call',
      'P::Child#2::tool_call',
      'P::Child#3::tool_call',
    ]);
  });
});

describe('addresses: isolated', () => {
  it('8 parallel branches running one tool get 8 addresses and each its own result', async () => {
    const state = new ExecutionState();
    const echo = new Tool({
      name: 'Echo',
      inputSchema: z.object({ value: z.number() }),
      handler: async ({ value }, _c, s) => {
        await delay((8 - value) * 2); // finish in reverse order
        return { value, address: s.currentAddress };
      },
    });
    const results = await state.parallel({ maxWorkers: 8 }, (p) => {
      for (let i = 0; i < 8; i++) p.add(() => state.run(echo, { value: i }));
    });
    expect(results.map((r) => (r.result as { value: number }).value)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7,
    ]);
    const addresses = results.map((r) => (r.result as { address: string }).address);
    expect(new Set(addresses).size).toBe(8);
    expect(addresses).toEqual(
      Array.from({ length: 8 }, (_, i) => `parallel[${i}]::Echo::tool_call`),
    );
    const completed = state.history.events.filter((r) => r.status === 'completed');
    expect(completed).toHaveLength(8);
    for (const record of completed) {
      const index = record.parallelIndex!;
      expect(record).toMatchObject({ groupId: 'parallel', isParallel: true });
      expect(record.address).toBe(`parallel[${index}]::Echo::tool_call`);
      expect((record.result as { value: number }).value).toBe(index);
    }
  });

  it('lazy runs of one event added to a group are isolated as well', async () => {
    const state = new ExecutionState();
    const event = new ExecutionEvent({ actor: echoTool() });
    const p = state.parallel({ maxWorkers: 4, name: 'Batch' });
    for (let i = 0; i < 8; i++) p.add(event.run({ value: i }, undefined, state));
    const results = await p.gather();
    expect(results.map((r) => r.result)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(startedAddresses(state))).toEqual(
      new Set(Array.from({ length: 8 }, (_, i) => `Batch[${i}]::Echo::tool_call`)),
    );
  });

  it('concurrent parents never see each other’s nesting', async () => {
    const child = new Tool({
      name: 'Child',
      inputSchema: z.object({ ms: z.number() }),
      handler: async ({ ms }, _c, state) => {
        await delay(ms);
        return state.currentAddress;
      },
    });
    const parent = new Agent({
      name: 'Parent',
      inputSchema: z.object({ ms: z.number() }),
      handler: async ({ ms }, _c, state) => {
        const before = state.currentAddress;
        const inner = (await state.run(child, { ms })).result;
        return { before, inner, after: state.currentAddress };
      },
    });
    const state = new ExecutionState();
    const [a, b] = await Promise.all([state.run(parent, { ms: 15 }), state.run(parent, { ms: 1 })]);
    expect(a.result).toEqual({
      before: 'Parent::agent_call',
      inner: 'Parent::Child::tool_call',
      after: 'Parent::agent_call',
    });
    expect(b.result).toEqual({
      before: 'Parent#2::agent_call',
      inner: 'Parent#2::Child::tool_call',
      after: 'Parent#2::agent_call',
    });
  });

  it('nested groups take the enclosing address, repeated groups get `#2`', async () => {
    const fetch = whereAmI('Fetch');
    const pipeline = new Agent({
      name: 'Pipeline',
      inputSchema: empty,
      handler: async (_i, _c, state) => {
        const first = await state.parallel({ name: 'Docs' }, (p) => {
          p.add(() => state.run(fetch, {}));
          p.add(() => state.run(fetch, {}));
        });
        const second = await state.parallel({ name: 'Docs' }, (p) => {
          p.add(() => state.run(fetch, {}));
        });
        return [...first, ...second].map((r) => r.result);
      },
    });
    const state = new ExecutionState();
    const result = await state.run(pipeline, {});
    expect(result.result).toEqual([
      'Pipeline::Docs[0]::Fetch::tool_call',
      'Pipeline::Docs[1]::Fetch::tool_call',
      'Pipeline::Docs#2[0]::Fetch::tool_call',
    ]);
    const inner = state.history.get('Pipeline::Docs#2[0]::Fetch::tool_call');
    expect(inner).toMatchObject({ groupId: 'Pipeline::Docs#2', parallelIndex: 0 });
  });

  it('a frame of another state is ignored', async () => {
    const other = new ExecutionState();
    const child = whereAmI('Child');
    const parent = new Agent({
      name: 'Parent',
      inputSchema: empty,
      handler: async () => (await other.run(child, {})).result,
    });
    expect((await new ExecutionState().run(parent, {})).result).toBe('Child::tool_call');
  });
});

describe('addresses: deterministic', () => {
  /** A program with random timing in parallel branches, nested groups and repeated runs. */
  async function program(state: ExecutionState): Promise<void> {
    const leaf = new Tool({
      name: 'Leaf',
      inputSchema: z.object({ i: z.number() }),
      handler: async ({ i }) => {
        await delay(Math.random() * 6);
        return i;
      },
    });
    const branch = new Agent({
      name: 'Branch',
      inputSchema: z.object({ i: z.number() }),
      handler: async ({ i }, _c, s) => {
        await delay(Math.random() * 6);
        await s.run(leaf, { i });
        await s.parallel({ name: 'Inner', maxWorkers: 3 }, (p) => {
          for (let j = 0; j < 3; j++) p.add(() => s.run(leaf, { i: j }));
        });
        await s.run(leaf, { i });
        return i;
      },
    });
    const root = new Agent({
      name: 'Root',
      inputSchema: empty,
      handler: async (_i, _c, s) => {
        await s.parallel({ maxWorkers: 6 }, (p) => {
          for (let i = 0; i < 6; i++) p.add(() => s.run(branch, { i }));
        });
        await s.parallel({ maxWorkers: 2 }, (p) => {
          for (let i = 0; i < 3; i++) p.add(() => s.run(leaf, { i }));
        });
      },
    });
    await state.run(root, {});
    await state.run(root, {});
  }

  async function trace() {
    const state = new ExecutionState();
    const events = collect(state);
    await program(state);
    await state.eventBus.drain();
    const groupIds = new Set<string>();
    for (const e of events) {
      if (e.kind === 'group') groupIds.add(e.groupId);
      if (e.kind === 'execution' && e.groupId) groupIds.add(e.groupId);
    }
    return {
      addresses: state.history.addresses().sort(),
      groupIds: [...groupIds].sort(),
      finishOrder: state.history.events
        .filter((r) => r.status === 'completed')
        .map((r) => r.address),
    };
  }

  it('the same program on two fresh states yields the same addresses and group ids', async () => {
    const first = await trace();
    const second = await trace();
    expect(second.addresses).toEqual(first.addresses);
    expect(second.groupIds).toEqual(first.groupIds);
    // 2 roots, each with 6 branches of 1 + 3 + 1 leaves, and 3 leaves in the second group.
    expect(first.addresses).toHaveLength(2 * (1 + 6 * (1 + 5) + 3));
    expect(new Set(first.addresses).size).toBe(first.addresses.length);
    expect(first.groupIds).toContain('Root::parallel');
    expect(first.groupIds).toContain('Root::parallel#2');
    expect(first.groupIds).toContain('Root#2::parallel[5]::Branch::Inner');
    expect(first.addresses).toContain('Root::parallel[3]::Branch::Leaf#2::tool_call');
    expect(first.addresses).toContain('Root::parallel[3]::Branch::Inner[2]::Leaf::tool_call');
  });
});
