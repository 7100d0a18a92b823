import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ExecutionState,
  ParallelCancelledError,
  ParallelTimeoutError,
  type TaskContext,
} from '../../src/index.js';
import { sleep, watchProcess } from './helpers.js';

/** Tasks that honour their signal, counted while in flight. */
class InFlight {
  count = 0;
  started = 0;
  task =
    (ms: number, fail?: unknown) =>
    async ({ signal }: TaskContext): Promise<string> => {
      this.count++;
      this.started++;
      try {
        await sleep(ms, signal);
        if (fail !== undefined) throw fail;
        return 'done';
      } finally {
        this.count--;
      }
    };
}

let watcher: ReturnType<typeof watchProcess>;

beforeEach(() => {
  watcher = watchProcess();
});

afterEach(async () => {
  // warnings are emitted on a later tick; give them time to arrive
  await sleep(20);
  const { rejections, warnings } = watcher.stop();
  expect(rejections).toEqual([]);
  expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  expect(warnings).toEqual([]);
});

describe('no unhandled rejection, no leaked task, no listener warning', () => {
  it('fail_fast', async () => {
    const state = new ExecutionState();
    const flight = new InFlight();
    const error = new Error('fail fast');
    const p = state.parallel({ errorStrategy: 'fail_fast', maxWorkers: 4 });
    p.add(flight.task(5, error));
    for (let i = 0; i < 20; i++) p.add(flight.task(5_000));
    await expect(p.gather()).rejects.toBe(error);
    await p.settled();
    expect(flight.count).toBe(0);
    expect(flight.started).toBe(4);
    expect(state.metrics().tasks.running).toBe(0);
  });

  it('fail_fast never gathered, in the callback form and with await using', async () => {
    const state = new ExecutionState();
    const flight = new InFlight();
    const error = new Error('nobody gathers me');
    await expect(
      state.parallel({ errorStrategy: 'fail_fast' }, (p) => {
        p.add(flight.task(1, error));
        p.add(flight.task(5_000));
      }),
    ).rejects.toBe(error);
    expect(flight.count).toBe(0);
    const scoped = async (): Promise<void> => {
      await using p = state.parallel({ errorStrategy: 'fail_fast' });
      p.add(flight.task(1, error));
      p.add(flight.task(5_000));
    };
    await expect(scoped()).rejects.toBe(error);
    expect(flight.count).toBe(0);
  });

  it('timeout', async () => {
    const state = new ExecutionState();
    const flight = new InFlight();
    const p = state.parallel({ timeoutMs: 20, maxWorkers: 3 });
    for (let i = 0; i < 10; i++) p.add(flight.task(5_000));
    await expect(p.gather()).rejects.toBeInstanceOf(ParallelTimeoutError);
    await p.settled();
    expect(flight.count).toBe(0);
    expect(flight.started).toBe(3);
  });

  it('timeout while nobody gathers yet', async () => {
    const state = new ExecutionState();
    const flight = new InFlight();
    const p = state.parallel({ timeoutMs: 10 });
    p.add(flight.task(5_000));
    await sleep(40);
    expect(p.group.status).toBe('failed');
    await expect(p.gather()).rejects.toBeInstanceOf(ParallelTimeoutError);
    await p.settled();
    expect(flight.count).toBe(0);
  });

  it('cancel, with and without a pending gather', async () => {
    const state = new ExecutionState();
    const flight = new InFlight();
    const a = state.parallel({ maxWorkers: 2 });
    for (let i = 0; i < 5; i++) a.add(flight.task(5_000));
    const gathering = a.gather();
    await sleep(2);
    a.cancel();
    await expect(gathering).rejects.toBeInstanceOf(ParallelCancelledError);
    await a.settled();
    expect(flight.count).toBe(0);

    const b = state.parallel();
    b.add(flight.task(5_000));
    await sleep(2);
    b.cancel(); // nobody ever gathers b
    await b.settled();
    expect(flight.count).toBe(0);
  });

  it('callback throw', async () => {
    const state = new ExecutionState();
    const flight = new InFlight();
    const error = new Error('callback bug');
    await expect(
      state.parallel({ maxWorkers: 2 }, async (p) => {
        for (let i = 0; i < 6; i++) p.add(flight.task(5_000));
        await sleep(2);
        throw error;
      }),
    ).rejects.toBe(error);
    expect(flight.count).toBe(0);
    expect(flight.started).toBe(2);
  });

  it('stream early exit', async () => {
    const state = new ExecutionState();
    const flight = new InFlight();
    const p = state.parallel({ maxWorkers: 3 });
    p.add(flight.task(1));
    for (let i = 0; i < 10; i++) p.add(flight.task(5_000));
    for await (const result of p.stream()) {
      expect(result.ok).toBe(true);
      break;
    }
    await p.settled();
    expect(flight.count).toBe(0);
    expect(flight.started).toBeLessThanOrEqual(4);
  });

  it('stream that throws (fail_fast) and a consumer that throws inside the loop', async () => {
    const state = new ExecutionState();
    const flight = new InFlight();
    const error = new Error('stream task failed');
    const p = state.parallel({ errorStrategy: 'fail_fast' });
    p.add(flight.task(1, error));
    p.add(flight.task(5_000));
    await expect(
      (async () => {
        for await (const _ of p.stream()) {
          // consume
        }
      })(),
    ).rejects.toBe(error);
    await p.settled();
    expect(flight.count).toBe(0);

    const q = state.parallel();
    q.add(flight.task(1));
    q.add(flight.task(5_000));
    const consumerError = new Error('consumer bug');
    await expect(
      (async () => {
        for await (const _ of q.stream()) throw consumerError;
      })(),
    ).rejects.toBe(consumerError);
    await q.settled();
    expect(flight.count).toBe(0);
    expect(q.group.status).toBe('cancelled');
  });

  it('a 10 000-task group whose tasks each listen to their signal', async () => {
    const state = new ExecutionState();
    let listeners = 0;
    let aborted = 0;
    const p = state.parallel({ maxWorkers: Infinity });
    for (let i = 0; i < 10_000; i++) {
      p.add(({ signal }) => {
        return new Promise<void>((resolve) => {
          listeners++;
          signal.addEventListener(
            'abort',
            () => {
              aborted++;
              resolve();
            },
            { once: true },
          );
        });
      });
    }
    await sleep(20);
    expect(listeners).toBe(10_000);
    p.cancel('mass cancel');
    await p.settled();
    expect(aborted).toBe(10_000);
    expect(p.group).toMatchObject({ status: 'cancelled', cancelled: 10_000 });
  });

  it('a 10 000-task group on 50 workers that completes', async () => {
    const state = new ExecutionState();
    const results = await state.parallel({ maxWorkers: 50 }, (p) => {
      for (let i = 0; i < 10_000; i++)
        p.add(async ({ signal }) => {
          const onAbort = (): void => {};
          signal.addEventListener('abort', onAbort);
          await Promise.resolve();
          signal.removeEventListener('abort', onAbort);
          return i;
        });
    });
    expect(results).toHaveLength(10_000);
    expect(results[9_999]).toMatchObject({ ok: true, result: 9_999, index: 9_999 });
  });

  it('many groups under one state do not add listeners to a shared signal', async () => {
    const state = new ExecutionState();
    for (let g = 0; g < 30; g++) {
      await state.parallel({}, (p) => {
        p.add(async ({ signal }) => {
          expect(signal.aborted).toBe(false);
          return state.signal.aborted;
        });
      });
    }
    // the state's own signal listens to nothing of ours; an interrupt still works
    state.requestInterrupt('done');
    expect(state.signal.aborted).toBe(true);
  });

  it('an interrupt while groups run', async () => {
    const state = new ExecutionState();
    const flight = new InFlight();
    const groups = [0, 1, 2].map(() => {
      const p = state.parallel();
      p.add(flight.task(5_000));
      return p;
    });
    await sleep(2);
    state.requestInterrupt('shutdown');
    for (const p of groups) {
      await expect(p.gather()).rejects.toBeInstanceOf(ParallelCancelledError);
      await p.settled();
    }
    expect(flight.count).toBe(0);
    // a group opened after the interrupt is cancelled from the start
    const late = state.parallel();
    expect(late.group.status).toBe('cancelled');
    expect(() => late.add(flight.task(5_000))).toThrow(/ended \(cancelled: .*interrupted/);
    await expect(late.gather()).rejects.toThrow(/interrupted/);
    expect(flight.started).toBe(3);
  });
});
