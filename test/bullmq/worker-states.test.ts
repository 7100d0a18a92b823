/**
 * The worker's states (no Redis needed): concurrent jobs of one coordinator state share a state,
 * each job gets exactly its own records (nested runs included), and states are dropped when idle,
 * replaced after a number of jobs or once interrupted, so a long-lived worker stays bounded.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Agent,
  type AnyActor,
  type ExecutionRecord,
  type RemoteRun,
  Tool,
  executeRemoteRun,
} from '../../src/index.js';
import { WorkerStates } from '../../src/bullmq/worker-states.js';

const leaf = new Tool({
  name: 'Leaf',
  inputSchema: z.object({ n: z.number() }),
  retry: { enabled: false },
  handler: async ({ n }) => {
    await new Promise((r) => setTimeout(r, 5 + (n % 3) * 5));
    return n * 10;
  },
});
const parent = new Agent({
  name: 'Parent',
  inputSchema: z.object({ n: z.number() }),
  handler: async ({ n }, _ctx, state) => {
    const inner = await state.run(leaf, { n });
    return inner.ok ? inner.result : -1;
  },
});

function remoteRun(stateId: string, index: number, actor: AnyActor, input: unknown): RemoteRun {
  return {
    stateId,
    address: `Work[${index}]::${actor.name}::${actor.eventType}`,
    actor: { name: actor.name, eventType: actor.eventType },
    input,
    context: '',
    tag: undefined,
    retry: undefined,
    groupId: 'Work',
    parallelIndex: index,
    attempt: 1,
  };
}

/** Runs `run` the way the worker does: on a shared state, its records routed to one list. */
async function job(states: WorkerStates, run: RemoteRun, actor: AnyActor) {
  const got: ExecutionRecord[] = [];
  const shared = states.acquire(run.stateId);
  const close = shared.open(run.address, (record) => got.push(record));
  try {
    const result = await executeRemoteRun(shared.state, actor, run);
    return { result, got, shared };
  } finally {
    close();
    states.release(shared);
  }
}

describe('WorkerStates', () => {
  it('shares one state between the concurrent jobs of a coordinator state, and routes each job exactly its records', async () => {
    const states = new WorkerStates();
    const jobs = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        job(states, remoteRun('coord-a', i, parent, { n: i }), parent),
      ),
    );
    expect(new Set(jobs.map((j) => j.shared)).size).toBe(1);
    jobs.forEach(({ result, got }, i) => {
      expect(result.ok && result.result).toBe(i * 10);
      expect(got.map((r) => `${r.address} ${r.status}`)).toEqual([
        `Work[${i}]::Parent::agent_call started`,
        `Work[${i}]::Parent::Leaf::tool_call started`,
        `Work[${i}]::Parent::Leaf::tool_call completed`,
        `Work[${i}]::Parent::agent_call completed`,
      ]);
    });
  });

  it('keeps the jobs of different coordinator states apart, and Work[1] from Work[10]', async () => {
    const states = new WorkerStates();
    const [a1, a10, b1] = await Promise.all([
      job(states, remoteRun('coord-a', 1, leaf, { n: 1 }), leaf),
      job(states, remoteRun('coord-a', 10, leaf, { n: 10 }), leaf),
      job(states, remoteRun('coord-b', 1, leaf, { n: 2 }), leaf),
    ]);
    expect(a1?.shared).toBe(a10?.shared);
    expect(a1?.shared).not.toBe(b1?.shared);
    expect(a1?.got.map((r) => r.address)).toEqual([
      'Work[1]::Leaf::tool_call',
      'Work[1]::Leaf::tool_call',
    ]);
    expect(a10?.got.every((r) => r.address === 'Work[10]::Leaf::tool_call')).toBe(true);
    expect(b1?.got.map((r) => r.result ?? null)).toEqual([null, 20]);
  });

  it('drops a state once its last job ends, and replaces it after 500 jobs or an interrupt', async () => {
    const states = new WorkerStates();
    const first = (await job(states, remoteRun('coord-c', 0, leaf, { n: 0 }), leaf)).shared;
    const second = (await job(states, remoteRun('coord-c', 1, leaf, { n: 1 }), leaf)).shared;
    expect(second).not.toBe(first); // the first was idle, so it was dropped

    const held = states.acquire('coord-d');
    for (let i = 0; i < 499; i++) states.release(states.acquire('coord-d'));
    expect(states.acquire('coord-d')).not.toBe(held); // served 500: the next job gets a new one

    const busy = states.acquire('coord-e');
    busy.state.requestInterrupt('stop');
    expect(states.acquire('coord-e')).not.toBe(busy);
  });
});
