/**
 * The page in a real browser (Debian's Chromium via playwright-core): what it shows matches the
 * run, event text stays text, the token, keyboard use, stored states, and the server closing.
 */
import { afterAll, expect, it } from 'vitest';
import { EventBus, ExecutionState, type BusEvent } from '../../src/index.js';
import { serveLiveView, type LiveView } from '../../src/live/index.js';
import { focusedName, describeInChromium, pwned, numberOf, waitForApplied } from './browser.js';
import { httpRequest, limitEvent, runThreeGroups } from './helpers.js';
import { MemoryBackend, snapshot, storedRun } from './memory-backend.js';
import { executionRecord } from '../helpers/bus-events.js';

const views: LiveView[] = [];
afterAll(async () => {
  await Promise.all(views.map((v) => v.close()));
});

async function serve(
  options: Partial<Parameters<typeof serveLiveView>[0]> & { eventBus: EventBus },
) {
  const view = await serveLiveView(options);
  views.push(view);
  return view;
}

describeInChromium('the live page in Chromium', (browser) => {
  it('shows groups, runs, retries, tokens, limits and the log as the run happens', async () => {
    const state = new ExecutionState();
    const view = await serve({ eventBus: state.eventBus });
    const page = await browser.open(view.url);
    await page.waitForSelector('#connection[data-state="live"]');
    state.eventBus.publish(limitEvent('openai', 4, 8, '429 Too Many Requests'));
    const outcome = await runThreeGroups(state, { delayMs: 5 });
    state.eventBus.publish(limitEvent('openai', 5, 4, 'sustained success'));
    await waitForApplied(page, view.eventCount);

    for (const g of outcome.groups) {
      const row = page.locator('li.group', {
        has: page.locator('.group-name', { hasText: g.name }),
      });
      const field = (name: string) =>
        numberOf(page, `li.group[data-group="Pipeline::${g.name}"] [data-field="${name}"]`);
      expect(await row.locator('.group-status').textContent()).toBe(
        g.failed > 0 ? 'failed' : 'completed',
      );
      expect({
        name: g.name,
        total: await field('total'),
        completed: await field('completed'),
        failed: await field('failed'),
        finished: await field('finished'),
      }).toEqual({
        name: g.name,
        total: g.total,
        completed: g.completed,
        failed: g.failed,
        finished: g.total,
      });
      const bar = row.locator('[role="progressbar"]');
      expect(await bar.getAttribute('aria-valuenow')).toBe(String(g.total));
      expect(await bar.getAttribute('aria-valuemax')).toBe(String(g.total));
      expect(await bar.getAttribute('aria-valuemin')).toBe('0');
      expect(await bar.getAttribute('aria-valuetext')).toBe(
        `${g.total} of ${g.total} finished, ${g.failed} failed`,
      );
      expect(await row.locator('[data-field="eta"]').textContent()).toMatch(/^took \d/);
      expect(await row.locator('[data-field="rate"]').textContent()).toMatch(/^[\d.]+\/s$/);
    }
    expect(await numberOf(page, '#stat-runs')).toBe(outcome.runs);
    expect(await numberOf(page, '#stat-failed')).toBe(outcome.failedRuns);
    expect(await numberOf(page, '#stat-completed')).toBe(outcome.runs - outcome.failedRuns);
    expect(await numberOf(page, '#stat-running')).toBe(0);
    expect(await numberOf(page, '#stat-retries')).toBe(outcome.retries);
    expect(await numberOf(page, '#stat-tokens')).toBe(outcome.tokens.total);
    expect(await numberOf(page, '#stat-events')).toBe(view.eventCount);
    const tokenCells = await page.locator('#tokens-total td').allTextContents();
    expect(tokenCells.map(Number)).toEqual([
      outcome.tokens.calls,
      outcome.tokens.input,
      outcome.tokens.output,
      outcome.tokens.total,
    ]);
    const limit = await page.locator('#limits-body tr[data-limit="openai"] > *').allTextContents();
    expect(limit.slice(0, 5)).toEqual(['openai', '▲ 5', '4', 'sustained success', '2']);
    expect(await page.locator('#log').textContent()).toContain('three groups done');
    expect(await page.locator('#connection').getAttribute('data-state')).toBe('live');
    // The timeline redraws a few times a second: wait for the drawing with every task.
    await page
      .locator('#timeline[aria-label^="Timeline: 25 parallel tasks in 3 groups over "]')
      .waitFor({ state: 'attached' });
    // A click on the first bar (the first lane of the first group, at its start) selects that branch.
    await page.locator('#timeline').click({ position: { x: 142, y: 3 } });
    expect(await page.locator('#details .details-title').textContent()).toMatch(/^\[\d+\]$/);
    expect(await page.locator('#details dd').first().textContent()).toMatch(
      /^Pipeline::Fetch\[\d+\]$/,
    );

    // The failed Parse run: its error on click.
    const parseGroup = page
      .locator('li.group', { has: page.locator('.group-name', { hasText: 'Parse' }) })
      .first();
    await page
      .locator('li[role="treeitem"].run.status-failed > .row .name', { hasText: 'Parse' })
      .first()
      .click();
    expect(await page.locator('#details .details-title').textContent()).toBe('Parse');
    expect(await page.locator('#details pre.error').textContent()).toBe('Error: cannot parse 5');
    expect(await page.locator('#details pre.input').textContent()).toBe('{\n  "i": 5\n}');
    expect(await parseGroup.count()).toBe(1);
    // A completed LLM run: its output, usage included.
    await page.locator('li.run > .row .name', { hasText: 'Chat' }).first().click();
    expect(JSON.parse((await page.locator('#details pre.output').textContent()) ?? '')).toEqual({
      text: 'answer 0',
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
    });
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('shows HTML and script in names, messages and values as text, and runs none of it', async () => {
    const state = new ExecutionState();
    const view = await serve({ eventBus: state.eventBus });
    const name = '<img src=x onerror=window.__pwned=1>';
    const error = '<script>window.__pwned=2</script><img src=x onerror="window.__pwned=3">';
    await runThreeGroups(state, { names: { fetch: name, parseError: error } });
    state.log('<b onmouseover="window.__pwned=4">bold</b>', 'error', {
      html: '<svg onload="window.__pwned=5">',
    });
    state.eventBus.publish(
      limitEvent(
        '<iframe src="javascript:window.__pwned=6">',
        1,
        2,
        '<style>*{display:none}</style>',
      ),
    );
    const page = await browser.open(view.url);
    await waitForApplied(page, view.eventCount);
    await page.locator('li.run.status-failed > .row .name', { hasText: 'Parse' }).first().click();

    expect(await pwned(page)).toBeUndefined();
    expect(
      await page.locator('img, svg, iframe, b, script:not(:first-of-type), body style').count(),
    ).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('li.run > .row .name', { hasText: name }).first().textContent()).toBe(
      name,
    );
    expect(await page.locator('#details pre.error').textContent()).toBe(`Error: ${error}`);
    expect(await page.locator('#details dd', { hasText: error }).first().textContent()).toBe(error);
    const log = (await page.locator('#log').textContent()) ?? '';
    expect(log).toContain('<b onmouseover="window.__pwned=4">bold</b>');
    expect(log).toContain('{"html":"<svg onload=\\"window.__pwned=5\\">"}');
    expect(await page.locator('#limits-body th').first().textContent()).toBe(
      '<iframe src="javascript:window.__pwned=6">',
    );
    await page.locator('li.run > .row .name', { hasText: name }).first().hover();
    expect(await pwned(page)).toBeUndefined();
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('with a token: the page opens from view.url and its stream works; without it, 401', async () => {
    const state = new ExecutionState();
    const token = 'a-long-random-token-1234567890';
    const view = await serve({ eventBus: state.eventBus, token });
    expect(view.url).toContain(`?token=${token}`);
    const denied = await browser.open(view.url.replace(/\?token=.*/, ''));
    expect(await denied.locator('body').textContent()).toContain('Unauthorized');
    await denied.close();
    expect(
      (await httpRequest(new URL('events', view.url.replace(/\?token=.*/, '')).toString())).status,
    ).toBe(401);
    const page = await browser.open(view.url);
    await page.waitForSelector('#connection[data-state="live"]');
    const outcome = await runThreeGroups(state);
    await waitForApplied(page, view.eventCount);
    expect(await numberOf(page, '#stat-runs')).toBe(outcome.runs);
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it('is usable with the keyboard: arrows move and expand, Enter opens the details', async () => {
    const state = new ExecutionState();
    const view = await serve({ eventBus: state.eventBus });
    await runThreeGroups(state);
    const page = await browser.open(view.url);
    await waitForApplied(page, view.eventCount);
    const items = page.locator('#tree-live li[role="treeitem"]');
    expect(await items.first().getAttribute('tabindex')).toBe('0');
    expect(await page.locator('#tree-live li[tabindex="0"]').count()).toBe(1);
    await items.first().focus();
    const focused = () => focusedName(page);
    expect(await focused()).toBe('Pipeline');
    expect(await items.first().getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    expect(await items.first().getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('ArrowRight');
    await page.locator('#tree-live > li[aria-expanded="true"]').waitFor();
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('Fetch');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('[0]');
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toBe('Fetch');
    await page.keyboard.press('Enter');
    expect(await page.locator('#details .details-title').textContent()).toBe('Fetch');
    expect(await page.locator('#details').textContent()).toContain(
      'Pipeline::Fetch[0]::Fetch::tool_call',
    );
    expect(
      await page.locator('#tree-live li[aria-selected="true"] > .row .name').textContent(),
    ).toBe('Fetch');
    await page.keyboard.press('ArrowLeft');
    expect(await focused()).toBe('[0]');
    await page.keyboard.press('ArrowUp');
    expect(await focused()).toBe('Fetch');
    await page.keyboard.press('End');
    expect(await focused()).toBe('Chat'); // the last branch's run, the deepest last row
    await page.keyboard.press('Home');
    expect(await focused()).toBe('Pipeline');
    await page.keyboard.press(' ');
    expect(await page.locator('#details .details-title').textContent()).toBe('Pipeline');
    expect(page.problems).toEqual([]);
    await page.close();
  });

  it("lists stored states and shows one's history in the same tree", async () => {
    const backend = new MemoryBackend();
    const history = [
      ...storedRun('Crawl::agent_call', 'Crawl', 'failed'),
      ...storedRun('Crawl::Pages[0]::Fetch::tool_call', 'Fetch', 'completed', {
        groupId: 'Crawl::Pages',
        parallelIndex: 0,
        isParallel: true,
      }),
      ...storedRun('Crawl::Pages[1]::Fetch::tool_call', 'Fetch', 'failed', {
        groupId: 'Crawl::Pages',
        parallelIndex: 1,
        isParallel: true,
      }),
    ];
    backend.states.set(
      'night-7',
      snapshot('night-7', history, {
        status: 'failed',
        metadata: { pipeline: 'crawl', tags: ['nightly', 'eu'] },
      }),
    );
    backend.states.set('older', snapshot('older', [], { updatedAt: 5 }));
    const state = new ExecutionState();
    const view = await serve({ eventBus: state.eventBus, stateBackend: backend });
    await runThreeGroups(state);
    const page = await browser.open(view.url);
    await page.waitForSelector('#states-section:not([hidden])');
    await page.locator('#states-status', { hasText: /^2 stored states$/ }).waitFor();
    const rows = await page.locator('#states-body tr').allInnerTexts();
    expect(rows[0]?.split('\t').slice(0, 4)).toEqual(['night-7', 'crawl', 'failed', 'nightly, eu']);
    await page.locator('#states-body button', { hasText: 'night-7' }).click();
    await page.waitForSelector('#tree-stored li[role="treeitem"]');
    expect(await page.locator('#tree-live').isHidden()).toBe(true);
    expect(await page.locator('#tab-stored').textContent()).toBe('State night-7 (failed)');
    expect(await page.locator('#runs-summary').textContent()).toContain(
      '3 runs · 0 running · 1 completed · 2 failed',
    );
    const names = await page
      .locator('#tree-stored li[role="treeitem"] > .row .name')
      .allTextContents();
    expect(names).toEqual(['Crawl', 'Pages', '[0]', 'Fetch', '[1]', 'Fetch']);
    await page
      .locator('#tree-stored li.run.status-failed > .row .name', { hasText: 'Fetch' })
      .click();
    expect(await page.locator('#details pre.error').textContent()).toBe('Error: Fetch broke');
    expect(await page.locator('#details').textContent()).toContain(
      'Crawl::Pages[1]::Fetch::tool_call',
    );
    await page.locator('#tab-live').click();
    expect(await page.locator('#tree-live').isVisible()).toBe(true);
    expect(await page.locator('#runs-summary').textContent()).toMatch(/^Live: 26 runs/);
    await page.locator('#tab-stored').click();
    expect(await page.locator('#tree-stored').isVisible()).toBe(true);
    // A state that vanished meanwhile: the page says so.
    backend.states.delete('older');
    await page.locator('#states-body button', { hasText: 'older' }).click();
    await page.locator('#states-status', { hasText: /^Could not load older/ }).waitFor();
    expect(await page.locator('#states-status').textContent()).toBe(
      "Could not load older: No state 'older' is stored in memory. Check the id: backend.list() shows the stored states.",
    );
    backend.list = async () => {
      throw new Error('store offline');
    };
    await page.locator('#states-refresh').click();
    await page.locator('#states-status', { hasText: 'store offline' }).waitFor();
    expect(
      page.problems.filter((p) => !p.includes('status of 404') && !p.includes('status of 500')),
    ).toEqual([]);
    await page.close();
  });

  it("counts tokens once (an agent's summed usage is not added again) and a resumed run is not a retry", async () => {
    const bus = new EventBus();
    const view = await serve({ eventBus: bus });
    const page = await browser.open(view.url);
    await page.waitForSelector('#connection[data-state="live"]');
    const record = (address: string, status: 'started' | 'completed', result?: unknown): BusEvent =>
      executionRecord({
        address,
        status,
        executionTimeMs: status === 'started' ? undefined : 5,
        result,
        timestamp: Date.now(),
      });
    const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15 };
    bus.publish(record('Agent::agent_call', 'started'));
    bus.publish(record('Agent::Model::llm_call', 'started'));
    bus.publish(record('Agent::Model::llm_call', 'completed', { usage }));
    bus.publish(record('Agent::agent_call', 'completed', { usage }));
    // The same state restored and run again on this bus: the agent starts anew at attempt 1.
    bus.publish(record('Agent::agent_call', 'started'));
    bus.publish(record('Agent::agent_call', 'completed', { text: 'done' }));
    await waitForApplied(page, 6);
    expect(await numberOf(page, '#stat-tokens')).toBe(15);
    expect(await numberOf(page, '#stat-retries')).toBe(0);
    await page.close();
  });

  it('says when the server closed the view, and shows interrupts', async () => {
    const bus = new EventBus();
    const view = await serveLiveView({ eventBus: bus });
    const page = await browser.open(view.url);
    await page.waitForSelector('#connection[data-state="live"]');
    bus.publish({
      kind: 'interrupt',
      reason: 'the user pressed stop',
      source: 'request',
      timestamp: Date.now(),
      stateId: 's',
    } as BusEvent);
    await waitForApplied(page, 1);
    expect(await page.locator('#notice').textContent()).toBe(
      'Interrupted (request): the user pressed stop',
    );
    expect(await page.locator('#log .level-interrupt').textContent()).toContain(
      'Interrupted (request): the user pressed stop',
    );
    await view.close();
    await page.waitForSelector('#connection[data-state="closed"]');
    expect(await page.locator('#connection').textContent()).toBe('closed by the server');
    await page.close();
  });
});
