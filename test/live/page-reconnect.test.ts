/**
 * The page reconnects by itself when its connection drops (a TCP proxy in front of the view
 * cuts it) and ends with exactly the events of the run: none lost, none twice.
 */
import { expect, it } from 'vitest';
import { ExecutionState } from '../../src/index.js';
import { serveLiveView, type LiveView } from '../../src/live/index.js';
import {
  type BrowserPage,
  describeInChromium,
  numberOf,
  streamFigures,
  waitForApplied,
  waitForAppliedAbove,
} from './browser.js';
import { type Proxy, runThreeGroups, sleep, startProxy } from './helpers.js';

interface ProxiedPage {
  state: ExecutionState;
  view: LiveView;
  /** In front of the view: cuts the page's connections, or answers 503 while told to. */
  proxy: Proxy;
  /** The page, opened through the proxy and live. */
  page: BrowserPage;
}

describeInChromium('reconnecting', (browser) => {
  /** Serves a new state's live view behind a proxy and runs `test` on the page opened through it. */
  async function throughProxy(test: (setup: ProxiedPage) => Promise<void>): Promise<void> {
    const state = new ExecutionState();
    await using view = await serveLiveView({ eventBus: state.eventBus });
    const proxy = await startProxy(view.port);
    try {
      const page = await browser.open(`http://127.0.0.1:${proxy.port}/`);
      await page.waitForSelector('#connection[data-state="live"]');
      await test({ state, view, proxy, page });
    } finally {
      await proxy.close();
    }
  }

  it(
    'picks up after dropped connections without losing or repeating an event',
    { timeout: 40_000 },
    () =>
      throughProxy(async ({ state, view, proxy, page }) => {
        const run = runThreeGroups(state, { delayMs: 25 });
        for (let cut = 0; cut < 3; cut++) {
          await waitForAppliedAbove(page, cut * 15);
          expect(proxy.cut()).toBeGreaterThan(0);
          await page.waitForSelector('#connection[data-state="reconnecting"]');
          await page.waitForSelector('#connection[data-state="live"]');
        }
        const outcome = await run;
        await waitForApplied(page, view.eventCount);
        expect(await streamFigures(page)).toEqual({
          applied: view.eventCount,
          lastEventId: view.eventCount,
          duplicates: 0,
        });
        expect(await numberOf(page, '#stat-runs')).toBe(outcome.runs);
        expect(await numberOf(page, '#stat-retries')).toBe(outcome.retries);
        expect(await numberOf(page, '#stat-tokens')).toBe(outcome.tokens.total);
        expect(
          await numberOf(page, 'li.group[data-group="Pipeline::Fetch"] [data-field="failed"]'),
        ).toBe(2);
        // The server keeps one connection: the dropped ones were noticed and let go.
        await sleep(50);
        expect(view.connections).toBe(1);
        expect(page.problems.filter((p) => !p.includes('ERR_'))).toEqual([]);
        await page.close();
      }),
  );

  it(
    'retries by itself when the browser gave up (the server answered with an error)',
    { timeout: 40_000 },
    () =>
      throughProxy(async ({ state, proxy, page }) => {
        state.log('first', 'info');
        await waitForApplied(page, 1);
        proxy.failWith503 = true;
        proxy.cut();
        await page.waitForSelector('#connection[data-state="reconnecting"]');
        state.log('while away', 'info');
        await sleep(1_000);
        proxy.failWith503 = false;
        await page.waitForSelector('#connection[data-state="live"]', { timeout: 15_000 });
        state.log('after', 'info');
        await waitForApplied(page, 3);
        expect(await page.locator('#log .message').allTextContents()).toEqual([
          'first',
          'while away',
          'after',
        ]);
        expect((await streamFigures(page)).duplicates).toBe(0);
        await page.close();
      }),
  );
});
