/** Bad options are refused before anything listens, with messages that say how to fix them. */
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/index.js';
import { defaultLiveViewOptions, serveLiveView } from '../../src/live/index.js';
import { isLoopbackHost, resolveLiveViewOptions } from '../../src/live/options.js';

const eventBus = new EventBus();

describe('serveLiveView options', () => {
  it('has documented defaults', () => {
    expect(defaultLiveViewOptions).toEqual({
      port: 0,
      host: '127.0.0.1',
      maxEvents: 100_000,
      heartbeatMs: 15_000,
      title: 'rh-agents live view',
    });
    expect(resolveLiveViewOptions({ eventBus })).toMatchObject({
      ...defaultLiveViewOptions,
      token: undefined,
      stateBackend: undefined,
    });
  });

  it.each([
    [
      undefined,
      /expected an options object such as \{ eventBus: state\.eventBus \}, got `undefined` \(undefined\)/,
    ],
    [
      {},
      /expected `eventBus` to be an event bus with a subscribe\(\) method \(pass state\.eventBus\), got `undefined`/,
    ],
    [{ eventBus: {} }, /expected `eventBus` to be an event bus with a subscribe\(\) method/],
    [{ eventBus, prot: 80 }, /unknown option `prot`; known options are `eventBus`, `port`, `host`/],
    [
      { eventBus, port: -1 },
      /expected `port` to be a whole number from 0 to 65535, got `-1` \(number\)/,
    ],
    [
      { eventBus, port: 70_000 },
      /expected `port` to be a whole number from 0 to 65535, got `70000`/,
    ],
    [
      { eventBus, port: '8080' },
      /expected `port` to be a whole number from 0 to 65535, got `"8080"` \(string\)/,
    ],
    [
      { eventBus, host: '' },
      /expected `host` to be a host name or IP address such as '127\.0\.0\.1', got `""` \(string\)/,
    ],
    [{ eventBus, host: 8 }, /expected `host` to be a host name or IP address/],
    [
      { eventBus, stateBackend: { list() {} } },
      /expected `stateBackend` to be a state backend with list\(\) and load\(\) methods, got `\{\}` \(object\)/,
    ],
    [
      { eventBus, stateBackend: null },
      '`stateBackend` is null; leave it out (or pass undefined) for its default, or give it a value.',
    ],
    [{ eventBus, maxEvents: 0 }, /expected `maxEvents` to be a whole number from 1 to/],
    [
      { eventBus, heartbeatMs: 1.5 },
      /expected `heartbeatMs` to be a whole number from 10 to 2147483647, got `1\.5`/,
    ],
    [{ eventBus, title: ['x'] }, /expected `title` to be a string, got `\["x"\]` \(array\)/],
    [
      { eventBus, host: 'example.com' },
      /`host` `"example\.com"` \(string\) is not a loopback address, so a `token` is required/,
    ],
    [{ eventBus, token: 10n }, /expected `token` to be a non-empty string.*got `10n` \(bigint\)/],
    [{ eventBus, token: () => 1 }, /got `\[function token\]` \(function\)/],
  ])('refuses %o', async (options, message) => {
    expect(() => resolveLiveViewOptions(options)).toThrow(message);
    await expect(serveLiveView(options as never)).rejects.toThrow(message);
  });

  it('says so when a value cannot even be shown as JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => resolveLiveViewOptions({ eventBus, title: cyclic })).toThrow(
      /got `\[object Object\]` \(object\)/,
    );
  });

  it('knows which hosts are loopback', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '[::1]',
      'localhost',
      'LOCALHOST',
      'app.localhost',
      '::ffff:127.0.0.1',
    ]) {
      expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: true });
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '128.0.0.1',
      'example.com',
      '::2',
      'localhost.example',
    ]) {
      expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: false });
    }
  });
});
