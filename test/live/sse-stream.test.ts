/** `GET /events`: replay, ids, Last-Event-ID resume, heartbeats, backpressure, safe values. */
import { afterEach, describe, expect, it } from 'vitest';
import { ExecutionState, type BusEvent } from '../../src/index.js';
import { serveLiveView, type LiveView } from '../../src/live/index.js';
import {
  CountingBus,
  httpRequest,
  limitEvent,
  openSse,
  runThreeGroups,
  waitUntil,
  type SseStream,
} from './helpers.js';

const views: LiveView[] = [];
const streams: SseStream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await Promise.all(views.splice(0).map((v) => v.close()));
});

async function start(options: Partial<Parameters<typeof serveLiveView>[0]> = {}) {
  const bus = new CountingBus();
  const view = await serveLiveView({ eventBus: bus, ...options });
  views.push(view);
  return { bus, view };
}

async function sse(url: string, headers?: Record<string, string>): Promise<SseStream> {
  const stream = await openSse(url, headers);
  streams.push(stream);
  return stream;
}

const eventsUrl = (view: LiveView, query = ''): string =>
  new URL(`events${query}`, view.url).toString();

describe('the event stream', () => {
  it('replays every event since the view started, numbered from 1, then streams live ones', async () => {
    const state = new ExecutionState();
    const view = await serveLiveView({ eventBus: state.eventBus });
    views.push(view);
    state.log('before any page', 'info');
    const outcome = await runThreeGroups(state);
    const early = await sse(eventsUrl(view));
    expect(early.response.statusCode).toBe(200);
    expect(early.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await waitUntil(() => early.events().length === view.eventCount, 'the replay');
    const events = early.events();
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.event).toMatchObject({ kind: 'log', message: 'before any page' });
    const executions = events.filter((e) => e.event.kind === 'execution');
    expect(new Set(executions.map((e) => e.event.address)).size).toBe(outcome.runs);
    // a group ends `completed`, or `failed` when any of its tasks failed
    const last = events.filter(
      (e) =>
        e.event.kind === 'group' && (e.event.type === 'completed' || e.event.type === 'failed'),
    );
    expect(last.map((e) => [e.event.name, e.event.completed, e.event.failed])).toEqual(
      outcome.groups.map((g) => [g.name, g.completed, g.failed]),
    );

    // A live event reaches the open stream with the next id.
    state.log('after the page connected', 'warning');
    await waitUntil(() => early.events().length === events.length + 1, 'the live event');
    expect(early.events().at(-1)).toMatchObject({
      id: events.length + 1,
      event: { kind: 'log', message: 'after the page connected', severity: 'warning' },
    });
    expect(early.retry).toBe(1000);
    const hello = early.messages.find((m) => m.event === 'hello');
    expect(JSON.parse(hello?.data ?? '{}')).toMatchObject({ firstId: 1, states: false });
  });

  it('resumes after Last-Event-ID with only the later events (header or ?lastEventId=)', async () => {
    const { bus, view } = await start();
    for (let i = 0; i < 10; i++) bus.publish(limitEvent('api', i + 1, i, `step ${i}`));
    const byHeader = await sse(eventsUrl(view), { 'Last-Event-ID': '7' });
    const byQuery = await sse(eventsUrl(view, '?lastEventId=4'));
    await waitUntil(() => byHeader.events().length === 3, 'events 8 to 10');
    await waitUntil(() => byQuery.events().length === 6, 'events 5 to 10');
    bus.publish(limitEvent('api', 11, 10, 'step 10'));
    await waitUntil(() => byHeader.events().length === 4, 'event 11');
    expect(byHeader.events().map((e) => e.id)).toEqual([8, 9, 10, 11]);
    expect(byHeader.events().map((e) => e.event.concurrency)).toEqual([8, 9, 10, 11]);
    expect(byQuery.events().map((e) => e.id)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    // The header wins over the query (a browser's own reconnect sends the newer header).
    const both = await sse(eventsUrl(view, '?lastEventId=1'), { 'Last-Event-ID': '10' });
    await waitUntil(() => both.events().length === 1, 'event 11 only');
    expect(both.events()[0]?.id).toBe(11);
    const none = await sse(eventsUrl(view), { 'Last-Event-ID': '11' });
    bus.publish(limitEvent('api', 12, 11, 'step 11'));
    await waitUntil(() => none.events().length === 1, 'event 12');
    expect(none.events().map((e) => e.id)).toEqual([12]);
  });

  it('refuses a Last-Event-ID that is not a whole number with 400', async () => {
    const { view } = await start();
    const answer = await httpRequest(eventsUrl(view), { headers: { 'Last-Event-ID': 'abc' } });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('Last-Event-ID must be a whole number');
    expect(view.connections).toBe(0);
  });

  it('sends heartbeat comments on an idle stream', async () => {
    const { view } = await start({ heartbeatMs: 20 });
    const stream = await sse(eventsUrl(view));
    await waitUntil(() => stream.comments.length >= 3, 'three heartbeats', 2_000);
    expect(stream.comments[0]).toBe('heartbeat');
    expect(stream.events()).toEqual([]);
  });

  it('serializes any result, error or metadata safely: cycles, BigInt, functions, errors, huge values', async () => {
    const { bus, view } = await start();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const failure = new TypeError('boom');
    bus.publish({
      kind: 'execution',
      actor: { name: 'Weird', eventType: 'tool_call' },
      address: 'Weird::tool_call',
      status: 'completed',
      result: { cyclic, big: 10n ** 20n, fn: function named() {}, huge: 'x'.repeat(50_000) },
      error: failure,
      timestamp: 1,
      stateId: 's',
    } as unknown as BusEvent);
    bus.publish({
      kind: 'log',
      message: 'meta',
      severity: 'info',
      metadata: {
        get broken(): never {
          throw new Error('getter failed');
        },
      },
      timestamp: 2,
      stateId: 's',
    } as unknown as BusEvent);
    const stream = await sse(eventsUrl(view));
    await waitUntil(() => stream.events().length === 2, 'both events');
    const [first, second] = stream.events();
    expect(first?.event.result).toEqual({
      cyclic: { name: 'loop', self: '[Circular]' },
      big: '100000000000000000000n',
      fn: '[Function named]',
      huge: `${'x'.repeat(10_000)}… [40000 more characters]`,
    });
    expect(first?.event.error).toEqual({ name: 'TypeError', message: 'boom' });
    expect(second?.event.metadata).toEqual({ broken: '[Thrown while reading: getter failed]' });
  });

  it('feeds a page that does not read yet from its cursor when it drains, losing nothing', async () => {
    const { bus, view } = await start();
    const stream = await sse(eventsUrl(view));
    stream.response.pause();
    const payload = 'y'.repeat(2_000);
    for (let i = 0; i < 3_000; i++) {
      bus.publish({
        kind: 'log',
        message: payload,
        severity: 'info',
        timestamp: i,
        stateId: 's',
      } as unknown as BusEvent);
    }
    await new Promise((r) => setTimeout(r, 100));
    stream.response.resume();
    await waitUntil(() => stream.events().length === 3_000, 'all 3000 events', 15_000);
    const ids = stream.events().map((e) => e.id);
    expect(ids).toEqual(Array.from({ length: 3_000 }, (_, i) => i + 1));
  });

  it('keeps at most maxEvents and tells a late page how many it missed', async () => {
    const { bus, view } = await start({ maxEvents: 5 });
    for (let i = 0; i < 12; i++) bus.publish(limitEvent('api', i, i, 'r'));
    const stream = await sse(eventsUrl(view));
    await waitUntil(() => stream.events().length === 5, 'the 5 kept events');
    expect(stream.events().map((e) => e.id)).toEqual([8, 9, 10, 11, 12]);
    const gap = stream.messages.find((m) => m.event === 'gap');
    expect(JSON.parse(gap?.data ?? '{}')).toEqual({ missed: 7, firstId: 8 });
    expect(view.eventCount).toBe(12);
  });

  it('drops thousands of old events in linear time', async () => {
    const { bus, view } = await start({ maxEvents: 100 });
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) bus.publish(limitEvent('api', i, i, 'r'));
    expect(performance.now() - started).toBeLessThan(5_000);
    const stream = await sse(eventsUrl(view, '?lastEventId=19990'));
    await waitUntil(() => stream.events().length === 10, 'the last 10');
    expect(stream.events()[0]?.id).toBe(19_991);
  });
});
