import { z } from 'zod';
import {
  Agent,
  type BusEvent,
  type ExecutionRecord,
  ExecutionState,
  type ExecutionStateOptions,
  type GroupEvent,
  Tool,
} from '../../src/index.js';

export { sleep } from '../helpers/sleep.js';

/** Lets every pending microtask (and a few rounds of their follow-ups) run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Counts how many instrumented sections run at once, and the most that ever did. */
export class Gauge {
  current = 0;
  peak = 0;
  enter(): void {
    this.current++;
    if (this.current > this.peak) this.peak = this.current;
  }
  leave(): void {
    this.current--;
  }
  async around<R>(fn: () => Promise<R>): Promise<R> {
    this.enter();
    try {
      return await fn();
    } finally {
      this.leave();
    }
  }
}

/** A state whose bus records every event it publishes. */
export function recordingState(options: ExecutionStateOptions = {}): {
  state: ExecutionState;
  events: BusEvent[];
  groupEvents: () => GroupEvent[];
  executions: () => ExecutionRecord[];
} {
  const state = new ExecutionState(options);
  const events: BusEvent[] = [];
  state.eventBus.subscribe((event) => {
    events.push(event);
  });
  return {
    state,
    events,
    groupEvents: () => events.filter((e): e is GroupEvent => e.kind === 'group'),
    executions: () => events.filter((e): e is ExecutionRecord => e.kind === 'execution'),
  };
}

const input = z.object({ value: z.number() });

/** A tool without retries (the built-in default retries tools 3 times from 1 s). */
export function makeTool(
  name: string,
  handler: (value: number, state: ExecutionState) => unknown | Promise<unknown>,
): Tool<typeof input, unknown> {
  return new Tool({
    name,
    inputSchema: input,
    retry: { enabled: false },
    handler: (args, _context, state) => handler(args.value, state),
  });
}

export function makeAgent(
  name: string,
  handler: (value: number, state: ExecutionState) => unknown | Promise<unknown>,
): Agent<typeof input, unknown> {
  return new Agent({
    name,
    inputSchema: input,
    handler: (args, _context, state) => handler(args.value, state),
  });
}

/**
 * Records `unhandledRejection` and `warning` events while a test runs. `stop()` removes the
 * listeners and returns what was seen.
 */
export function watchProcess(): {
  stop: () => { rejections: unknown[]; warnings: Error[] };
} {
  const rejections: unknown[] = [];
  const warnings: Error[] = [];
  const onRejection = (reason: unknown): void => {
    rejections.push(reason);
  };
  const onWarning = (warning: Error): void => {
    warnings.push(warning);
  };
  process.on('unhandledRejection', onRejection);
  process.on('warning', onWarning);
  return {
    stop: () => {
      process.off('unhandledRejection', onRejection);
      process.off('warning', onWarning);
      return { rejections, warnings };
    },
  };
}

/** Fails the test when `promise` takes longer than `ms` (a deadlock detector). */
export function within<T>(promise: Promise<T>, ms: number, what = 'the operation'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${ms} ms (deadlock?)`)),
      ms,
    );
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
