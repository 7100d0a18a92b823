/**
 * Streaming: handle each result as soon as its task finishes, instead of waiting for the slowest.
 * Leaving the loop early cancels what is still queued or running.
 *
 *   npx tsx examples/parallel-streaming.ts
 */
import { z } from 'zod';
import { ExecutionState, Tool, type GroupEvent } from '../src/index.js';

/** Waits `ms`, or stops early (rejecting) when `signal` aborts: cancellation reaches the work. */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

const mirrors = [
  { host: 'eu-west', latencyMs: 350 },
  { host: 'us-east', latencyMs: 150 },
  { host: 'ap-south', latencyMs: 500 },
  { host: 'us-west', latencyMs: 250 },
  { host: 'eu-north', latencyMs: 50 },
];

const ping = new Tool({
  name: 'Ping',
  description: 'Measures the round trip to one mirror',
  inputSchema: z.object({ host: z.string(), latencyMs: z.number().int().positive() }),
  retry: { enabled: false },
  // `state.signal` is the signal of the branch the run belongs to.
  handler: async ({ host, latencyMs }, _context, state) => {
    await sleep(latencyMs, state.signal);
    return { host, latencyMs };
  },
});

const state = new ExecutionState();

// Group lifecycle events: a printer (or your own subscriber) sees the total and the counts.
state.eventBus.subscribe((event) => {
  if (event.kind !== 'group' || event.type === 'task') return;
  const e = event as GroupEvent;
  console.log(`  (group ${e.groupId} ${e.type}: ${e.completed}/${e.total} completed)`);
});

// 1. Every result, in finishing order.
const t0 = performance.now();
{
  await using p = state.parallel<{ host: string; latencyMs: number }>({
    name: 'Ping',
    maxWorkers: 5,
  });
  for (const mirror of mirrors) p.add(() => state.run(ping, mirror), mirror.host);
  console.log('Mirrors in the order they answered:');
  for await (const r of p.stream()) {
    const at = Math.round((performance.now() - t0) / 50) * 50;
    console.log(`  ${r.name} answered (~${at} ms after start)`);
  }
}

// 2. First one wins: stop at the first answer; the others are cancelled.
let stoppedEarly = 0;
{
  await using p = state.parallel<string>({ name: 'FirstMirror', maxWorkers: 5 });
  for (const { host, latencyMs } of mirrors) {
    p.add(async ({ signal }) => {
      try {
        await sleep(latencyMs, signal);
      } catch (reason) {
        stoppedEarly++; // the group's signal aborted: stop the work and let it go
        throw reason;
      }
      return host;
    }, host);
  }
  for await (const r of p.stream()) {
    console.log(`Fastest mirror: ${r.result}`);
    break; // leaving the loop cancels the rest
  }
  await p.settled();
  console.log(
    `Group ${p.groupId} is ${p.group.status}: ${p.group.completed} completed, ${p.group.cancelled} cancelled (${stoppedEarly} stopped early by their signal)`,
  );
}

// 3. The event bus as a stream: every execution record, e.g. to forward to a UI.
const seen: string[] = [];
const events = state.eventBus.stream();
const reader = (async () => {
  for await (const event of events) {
    if (event.kind === 'execution' && event.status === 'completed') seen.push(event.address);
    if (seen.length === 2) break;
  }
})();
await state.parallel({ name: 'Two', maxWorkers: 2 }, (p) => {
  p.add(() => state.run(ping, { host: 'a', latencyMs: 20 }));
  p.add(() => state.run(ping, { host: 'b', latencyMs: 40 }));
});
await reader;
console.log('Completed runs seen on the bus stream:', seen.join(', '));
