import { z } from 'zod';
import { type BusEvent, type ExecutionRecord, type ExecutionState, Tool } from '../../src/index.js';

/** Subscribes to the state's bus and returns the array the events land in. */
export function collect(state: ExecutionState): BusEvent[] {
  const events: BusEvent[] = [];
  state.eventBus.subscribe((event) => {
    events.push(event);
  });
  return events;
}

/** The execution records among `events`. */
export function records(events: readonly BusEvent[]): ExecutionRecord[] {
  return events.filter((e): e is ExecutionRecord => e.kind === 'execution');
}

/** The statuses of the records of `address`, in order. */
export function statuses(state: ExecutionState, address?: string): string[] {
  return state.history.events
    .filter((r) => address === undefined || r.address === address)
    .map((r) => r.status);
}

/** Resolves after `ms` real milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A tool that returns its input's `value`. */
export function echoTool(name = 'Echo'): Tool<z.ZodObject<{ value: z.ZodUnknown }>, unknown> {
  return new Tool({
    name,
    inputSchema: z.object({ value: z.unknown() }),
    handler: (input) => input.value,
  });
}
