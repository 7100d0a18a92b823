/** Starting, serving many pages and closing: nothing left listening, subscribed or open. */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RhAgentsError, type BusEvent } from '../../src/index.js';
import { LiveViewListenError, serveLiveView, type LiveView } from '../../src/live/index.js';
import { CountingBus, httpRequest, limitEvent, openSse, sleep, waitUntil } from './helpers.js';

const views: LiveView[] = [];
afterEach(async () => {
  await Promise.all(views.splice(0).map((v) => v.close()));
});

describe('starting', () => {
  it('fails with a LiveViewListenError naming the port when it is in use, and leaves no subscriber', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const bus = new CountingBus();
    try {
      const error = await serveLiveView({ eventBus: bus, port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LiveViewListenError);
      expect(error).toBeInstanceOf(RhAgentsError);
      expect(error).toMatchObject({
        name: 'LiveViewListenError',
        port,
        host: '127.0.0.1',
        code: 'EADDRINUSE',
      });
      expect((error as Error).message).toBe(
        `The live view could not start: port ${port} on 127.0.0.1 is already in use (EADDRINUSE). Stop what listens there, pick another \`port\`, or pass port: 0 to let the system choose a free one.`,
      );
      expect((error as Error).cause).toMatchObject({ code: 'EADDRINUSE' });
      expect(bus.active).toBe(0);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('fails clearly for a host that is not an address of this machine', async () => {
    const error = await serveLiveView({
      eventBus: new CountingBus(),
      host: '192.0.2.1',
      token: 'x',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LiveViewListenError);
    expect((error as Error).message).toMatch(
      /^The live view could not start: 192\.0\.2\.1 is not an address of this machine \(EADDRNOTAVAIL\), so port 0 cannot be opened on it\./,
    );
  });

  it('explains a listen failure it has no special advice for', () => {
    const error = new LiveViewListenError(8080, 'example', { cause: new Error('EWHATEVER: odd') });
    expect(error.message).toBe(
      'The live view could not start: port 8080 on example could not be opened (EWHATEVER: odd). Pick another `port` or `host`.',
    );
    expect(error.code).toBeUndefined();
    expect(
      new LiveViewListenError(80, 'h', { cause: Object.assign(new Error('x'), { code: 'EACCES' }) })
        .message,
    ).toContain('may not be opened by this process (EACCES)');
    expect(new LiveViewListenError(1, 'h', { cause: 'text' }).message).toContain('(text)');
  });

  it('subscribes once, however many pages connect', async () => {
    const bus = new CountingBus();
    const view = await serveLiveView({ eventBus: bus });
    views.push(view);
    const streams = await Promise.all(
      [1, 2, 3].map(() => openSse(new URL('events', view.url).toString())),
    );
    expect(bus.active).toBe(1);
    expect(view.connections).toBe(3);
    for (const s of streams) s.close();
    await waitUntil(() => view.connections === 0, 'the pages to leave');
  });
});

describe('pages that come and go', () => {
  it('leaves nothing behind after 200 connects and disconnects while events flow', async () => {
    const bus = new CountingBus();
    const view = await serveLiveView({ eventBus: bus, heartbeatMs: 10 });
    views.push(view);
    const url = new URL('events', view.url).toString();
    for (let round = 0; round < 40; round++) {
      const batch = await Promise.all([1, 2, 3, 4, 5].map(() => openSse(url)));
      bus.publish(limitEvent('api', round, round, 'tick'));
      if (round % 2 === 0) await sleep(2);
      for (const stream of batch) stream.close();
    }
    await waitUntil(() => view.connections === 0, 'every connection to be gone');
    expect(bus.active).toBe(1);
    // The view still works for the next page.
    const next = await openSse(url);
    await waitUntil(() => next.events().length === 40, 'the replay');
    expect(view.connections).toBe(1);
    next.close();
    await waitUntil(() => view.connections === 0, 'the last page to leave');
  });
});

describe('close()', () => {
  it('ends open streams (telling the page), unsubscribes from the bus and stops listening', async () => {
    const bus = new CountingBus();
    const view = await serveLiveView({ eventBus: bus });
    const url = new URL('events', view.url).toString();
    const streams = await Promise.all([openSse(url), openSse(url)]);
    bus.publish(limitEvent('api', 2, 1, 'grew'));
    await view.close();
    await Promise.all(streams.map((s) => s.ended));
    for (const s of streams) {
      expect(s.events().map((e) => e.id)).toEqual([1]);
      expect(s.messages.at(-1)).toMatchObject({ event: 'close' });
    }
    expect(bus.active).toBe(0);
    expect(bus.hasSubscribers).toBe(false);
    expect(view.connections).toBe(0);
    await expect(httpRequest(view.url)).rejects.toThrow(/ECONNREFUSED/);
    await view.close(); // idempotent
  });

  it('sends the events of the last turn before ending the streams', async () => {
    const bus = new CountingBus();
    const view = await serveLiveView({ eventBus: bus });
    const stream = await openSse(new URL('events', view.url).toString());
    for (let i = 0; i < 5; i++) bus.publish(limitEvent('api', i, i, 'last turn'));
    await view.close();
    await stream.ended;
    expect(stream.events().map((e) => e.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('works with await using', async () => {
    const bus = new CountingBus();
    let url = '';
    {
      await using view = await serveLiveView({ eventBus: bus });
      url = view.url;
      expect(bus.active).toBe(1);
    }
    expect(bus.active).toBe(0);
    await expect(httpRequest(url)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('stops counting events once closed', async () => {
    const bus = new CountingBus();
    const view = await serveLiveView({ eventBus: bus });
    bus.publish({
      kind: 'log',
      message: 'a',
      severity: 'info',
      timestamp: 1,
      stateId: 's',
    } as unknown as BusEvent);
    await view.close();
    bus.publish({
      kind: 'log',
      message: 'b',
      severity: 'info',
      timestamp: 2,
      stateId: 's',
    } as unknown as BusEvent);
    expect(view.eventCount).toBe(1);
  });
});
