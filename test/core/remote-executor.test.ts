/**
 * The executor seam (`RemoteExecutor`, `executeRemoteRun`) with an in-process executor: each run
 * travels as JSON to a "worker" state of its own and its records come back the same way, as they
 * would through a queue.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Agent,
  type AnyActor,
  ExecutionEvent,
  type ExecutionRecord,
  ExecutionState,
  FileSystemStateBackend,
  type RemoteExecutor,
  type RemoteOutcome,
  type RemoteRun,
  Tool,
  executeRemoteRun,
} from '../../src/index.js';
import { collect, delay, records } from './helpers.js';

class InProcessExecutor implements RemoteExecutor {
  readonly runs: RemoteRun[] = [];
  readonly aborted: string[] = [];
  constructor(readonly actors: AnyActor[]) {}

  async execute(
    run: RemoteRun,
    { signal, onRecord }: { signal: AbortSignal; onRecord: (r: ExecutionRecord) => void },
  ): Promise<RemoteOutcome> {
    const received = JSON.parse(JSON.stringify(run)) as RemoteRun;
    this.runs.push(received);
    const actor = this.actors.find((a) => a.name === run.actor.name) as AnyActor;
    const worker = new ExecutionState({ stateId: 'worker' });
    worker.eventBus.subscribe((event) => {
      if (event.kind === 'execution') onRecord({ ...event, error: undefined });
    });
    const controller = new AbortController();
    const onAbort = (): void => {
      this.aborted.push(run.address);
      controller.abort(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = executeRemoteRun(worker, actor, received, { signal: controller.signal }).then(
      (r): RemoteOutcome =>
        r.ok
          ? { ok: true, result: r.result }
          : { ok: false, error: { name: (r.error as Error).name, message: r.errorMessage ?? '' } },
    );
    const aborted = new Promise<never>((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    try {
      return await Promise.race([done, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

const double = new Tool({
  name: 'Double',
  inputSchema: z.object({ n: z.number() }),
  handler: async ({ n }) => ({ v: n * 2 }),
});
const broken = new Tool({
  name: 'Broken',
  inputSchema: z.object({}),
  retry: { enabled: false },
  handler: (): string => {
    throw new RangeError('out of range');
  },
});
const outer = new Agent({
  name: 'Outer',
  inputSchema: z.object({ n: z.number() }),
  handler: async ({ n }, _ctx, state) => {
    const inner = await new ExecutionEvent({ actor: double }).run({ n }, '', state);
    return { inner: inner.result };
  },
});

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('RemoteExecutor seam', () => {
  it('runs lazy runs through the executor; records come back with addresses, group tags and the coordinator state id', async () => {
    const executor = new InProcessExecutor([double]);
    const state = new ExecutionState({ stateId: 'coord' });
    const events = collect(state);
    const results = await state.parallel({ maxWorkers: 2, executor }, (p) => {
      for (let n = 0; n < 3; n++)
        p.add(new ExecutionEvent({ actor: double }).run({ n }, '', state));
    });
    expect(results.map((r) => r.result)).toEqual([{ v: 0 }, { v: 2 }, { v: 4 }]);
    expect(executor.runs.map((r) => r.address)).toEqual([
      'parallel[0]::Double::tool_call',
      'parallel[1]::Double::tool_call',
      'parallel[2]::Double::tool_call',
    ]);
    const recs = records(events);
    expect(recs.map((r) => `${r.parallelIndex} ${r.status}`).sort()).toEqual([
      '0 completed',
      '0 started',
      '1 completed',
      '1 started',
      '2 completed',
      '2 started',
    ]);
    for (const r of recs) {
      expect(r).toMatchObject({ stateId: 'coord', groupId: 'parallel', isParallel: true });
    }
    expect(state.history.hasCompleted('parallel[1]::Double::tool_call')).toBe(true);
  });

  it('brings nested runs back under the remote run', async () => {
    const executor = new InProcessExecutor([outer]);
    const state = new ExecutionState();
    const events = collect(state);
    const [r] = await state.parallel({ executor }, (p) => {
      p.add(new ExecutionEvent({ actor: outer }).run({ n: 4 }, '', state));
    });
    expect(r?.result).toEqual({ inner: { v: 8 } });
    expect(records(events).map((e) => `${e.address} ${e.status}`)).toEqual([
      'parallel[0]::Outer::agent_call started',
      'parallel[0]::Outer::Double::tool_call started',
      'parallel[0]::Outer::Double::tool_call completed',
      'parallel[0]::Outer::agent_call completed',
    ]);
  });

  it('an error crosses by name and message', async () => {
    const state = new ExecutionState();
    const [r] = await state.parallel({ executor: new InProcessExecutor([broken]) }, (p) => {
      p.add(new ExecutionEvent({ actor: broken }).run({}, '', state));
    });
    expect(r).toMatchObject({ ok: false, errorMessage: 'out of range' });
    expect((r?.error as Error).name).toBe('RangeError');
    expect(state.history.get('parallel[0]::Broken::tool_call')?.status).toBe('failed');
  });

  it('refuses a plain function at add()', async () => {
    const state = new ExecutionState();
    const p = state.parallel({ executor: new InProcessExecutor([]) });
    expect(() => p.add(async () => 1)).toThrow(/cannot travel there.*p\.add\(event\.run/);
    await p.gather();
  });

  it('fail_fast aborts the remote handler signal of a running sibling', async () => {
    let abortedOnWorker = false;
    const slow = new Tool({
      name: 'Slow',
      inputSchema: z.object({}),
      retry: { enabled: false },
      handler: async (_i, _c, s): Promise<string> => {
        await new Promise<void>((resolve) => {
          s.signal.addEventListener('abort', () => {
            abortedOnWorker = true;
            resolve();
          });
        });
        throw s.signal.reason;
      },
    });
    const executor = new InProcessExecutor([slow, broken]);
    const state = new ExecutionState();
    const failing = state.parallel({ executor, errorStrategy: 'fail_fast' }, async (p) => {
      p.add(new ExecutionEvent({ actor: slow }).run({}, '', state));
      await delay(20);
      p.add(new ExecutionEvent({ actor: broken }).run({}, '', state));
    });
    await expect(failing).rejects.toThrow('out of range');
    await delay(20);
    expect(abortedOnWorker).toBe(true);
    expect(executor.aborted).toEqual(['parallel[0]::Slow::tool_call']);
    expect(state.history.get('parallel[0]::Slow::tool_call')?.status).toBe('cancelled');
  });

  it('checkpoints remote runs on the coordinator; a restored state replays them without the executor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-remote-'));
    dirs.push(dir);
    const program = (state: ExecutionState, executor: RemoteExecutor) =>
      state.parallel({ executor }, (p) => {
        for (let n = 0; n < 3; n++)
          p.add(new ExecutionEvent({ actor: double }).run({ n }, '', state));
      });
    const first = new ExecutionState({ stateBackend: new FileSystemStateBackend({ dir }) });
    await program(first, new InProcessExecutor([double]));
    const again = new InProcessExecutor([double]);
    const restored = await ExecutionState.load(first.stateId, {
      stateBackend: new FileSystemStateBackend({ dir }),
    });
    const events = collect(restored);
    const results = await program(restored, again);
    expect(results.map((r) => r.result)).toEqual([{ v: 0 }, { v: 2 }, { v: 4 }]);
    expect(again.runs).toEqual([]);
    expect(records(events).map((r) => r.status)).toEqual(['recovered', 'recovered', 'recovered']);
  });
});
