/**
 * Launches Debian's Chromium (never a Playwright download) for the live view's browser tests,
 * with a fresh profile. Without Chromium the browser tests are skipped, saying how to enable them.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
export const SKIP_MESSAGE = `Browser tests of the live view skipped: no Chromium at ${CHROMIUM_PATH}. Enable them with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`;

if (!hasChromium) console.warn(SKIP_MESSAGE);

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A tab that records page errors, console errors and dialogs (none expected) in `problems`. */
export type BrowserPage = Page & { problems: string[] };

export interface Browser {
  context: BrowserContext;
  /** A new tab, recording its problems. */
  open(url: string): Promise<BrowserPage>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'rh-agents-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  // Fail with a message well before the test's own timeout.
  context.setDefaultTimeout(8_000);
  return {
    context,
    async open(url) {
      const page = Object.assign(await context.newPage(), { problems: [] as string[] });
      page.on('pageerror', (error) => page.problems.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') page.problems.push(`console: ${message.text()}`);
      });
      page.on('dialog', (dialog) => {
        page.problems.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      await page.goto(url);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Describes tests that need Chromium: `tests` gets the one browser launched before them (closed
 * after them). Without Chromium the block shows as skipped, saying how to enable it.
 */
export function describeInChromium(name: string, tests: (browser: Browser) => void): void {
  if (!hasChromium) {
    describe(name, () => {
      it.skip(SKIP_MESSAGE, () => {});
    });
    return;
  }
  describe(name, () => {
    let launched: Browser | undefined;
    beforeAll(async () => {
      launched = await launchBrowser();
    }, 30_000);
    afterAll(async () => {
      await launched?.close();
    });
    const current = (): Browser => {
      if (launched === undefined)
        throw new Error(
          `describeInChromium('${name}'): use the browser inside a test, once it is launched`,
        );
      return launched;
    };
    tests({
      get context() {
        return current().context;
      },
      open: (url) => current().open(url),
      close: () => current().close(),
    });
  });
}

/** The page's figures on its body (the tests' tsconfig has no DOM types; functions, not strings: the page's CSP forbids eval). */
interface PageGlobals {
  document: { body: { dataset: Record<string, string | undefined> } };
}

/** Waits until the page has applied `count` events (its body's data-applied). */
export async function waitForApplied(page: Page, count: number, timeoutMs = 10_000): Promise<void> {
  await waitForAppliedAbove(page, count - 1, timeoutMs);
}

/** Waits until the page has applied more than `count` events. */
export async function waitForAppliedAbove(
  page: Page,
  count: number,
  timeoutMs = 10_000,
): Promise<void> {
  await page.waitForFunction(
    (n) => Number((globalThis as unknown as PageGlobals).document.body.dataset.applied) > n,
    count,
    { timeout: timeoutMs },
  );
}

/** What the page says about its stream: events applied, the last id, duplicates ignored. */
export async function streamFigures(
  page: Page,
): Promise<{ applied: number; lastEventId: number; duplicates: number }> {
  const data = (await page.evaluate('({ ...document.body.dataset })')) as Record<string, string>;
  return {
    applied: Number(data.applied),
    lastEventId: Number(data.lastEventId),
    duplicates: Number(data.duplicates),
  };
}

/** A global the page's own code never sets: set only if injected markup ran. */
export async function pwned(page: Page): Promise<unknown> {
  return page.evaluate('window.__pwned');
}

/** The name shown on the focused tree row. */
export async function focusedName(page: Page): Promise<unknown> {
  return page.evaluate("document.activeElement?.querySelector('.name')?.textContent");
}

/** A number shown with thousands separators, as a number. */
export async function numberOf(page: Page, selector: string): Promise<number> {
  const text = (await page.locator(selector).first().textContent()) ?? '';
  return Number(text.replace(/[^\d.-]/g, ''));
}
