/** `GET /api/states` and `GET /api/states/<id>` over a state backend. */
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/index.js';
import { serveLiveView, type LiveView } from '../../src/live/index.js';
import { httpRequest } from './helpers.js';
import { MemoryBackend, snapshot, storedRun, type StateBackend } from './memory-backend.js';

const views: LiveView[] = [];
afterEach(async () => {
  await Promise.all(views.splice(0).map((v) => v.close()));
});

async function start(stateBackend?: StateBackend) {
  const view = await serveLiveView({ eventBus: new EventBus(), stateBackend });
  views.push(view);
  const get = async (path: string) => {
    const answer = await httpRequest(new URL(path, view.url).toString());
    return { ...answer, json: JSON.parse(answer.body) as Record<string, unknown> };
  };
  return { view, get };
}

function filled(): MemoryBackend {
  const backend = new MemoryBackend();
  backend.states.set(
    'nightly-1',
    snapshot('nightly-1', storedRun('Crawl::agent_call', 'Crawl', 'completed'), {
      metadata: { pipeline: 'crawl', tags: ['nightly'] },
      updatedAt: 2,
    }),
  );
  backend.states.set(
    'adhoc_2',
    snapshot('adhoc_2', storedRun('Crawl::agent_call', 'Crawl', 'failed'), {
      status: 'failed',
      metadata: { pipeline: 'other', tags: [] },
      updatedAt: 3,
    }),
  );
  return backend;
}

describe('stored states', () => {
  it('lists the stored states, newest first, passing ?tag= and ?pipeline= to the backend', async () => {
    const backend = filled();
    const { get } = await start(backend);
    const all = await get('/api/states');
    expect(all.status).toBe(200);
    expect(all.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(all.json.states).toEqual([
      {
        stateId: 'adhoc_2',
        pipeline: 'other',
        tags: [],
        status: 'failed',
        createdAt: 1_700_000_000_000,
        updatedAt: 3,
      },
      {
        stateId: 'nightly-1',
        pipeline: 'crawl',
        tags: ['nightly'],
        status: 'completed',
        createdAt: 1_700_000_000_000,
        updatedAt: 2,
      },
    ]);
    const tagged = await get('/api/states?tag=nightly&pipeline=crawl');
    expect((tagged.json.states as { stateId: string }[]).map((s) => s.stateId)).toEqual([
      'nightly-1',
    ]);
    expect(backend.listCalls).toEqual([{}, { tag: 'nightly', pipeline: 'crawl' }]);
  });

  it("returns one state's snapshot with its whole history", async () => {
    const backend = filled();
    const long = Array.from({ length: 600 }, (_, i) =>
      storedRun(`Job::Step#${i + 1}::tool_call`, 'Step', 'completed'),
    ).flat();
    backend.states.set('long', snapshot('long', long));
    const { get } = await start(backend);
    const one = await get('/api/states/adhoc_2');
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ stateId: 'adhoc_2', status: 'failed' });
    expect((one.json.history as unknown[]).length).toBe(2);
    const all = await get('/api/states/long');
    expect((all.json.history as unknown[]).length).toBe(1_200);
  });

  it('answers 404 for an unknown state, with the backend message', async () => {
    const { get } = await start(filled());
    const answer = await get('/api/states/missing');
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({
      error:
        "No state 'missing' is stored in memory. Check the id: backend.list() shows the stored states.",
    });
  });

  it('answers 400 for an id no backend accepts, before asking the backend', async () => {
    const backend = filled();
    let loads = 0;
    const original = backend.load.bind(backend);
    backend.load = (id) => (loads++, original(id));
    const { get } = await start(backend);
    for (const bad of ['..%2F..%2Fetc%2Fpasswd', 'a%20b', 'x'.repeat(129), '%E0%A4%A', '']) {
      const answer = await get(`/api/states/${bad}`);
      expect({ bad, status: answer.status }).toEqual({ bad, status: 400 });
      expect(answer.json.error).toMatch(
        /^Not a state id: .*State ids are 1 to 128 letters, digits, '_' or '-'\.$/,
      );
    }
    expect(loads).toBe(0);
  });

  it('answers 500 with the reason when the backend fails', async () => {
    const backend = filled();
    backend.list = async () => {
      throw new Error('disk on fire');
    };
    backend.load = async () => {
      throw 'connection lost';
    };
    const { get } = await start(backend);
    expect(await get('/api/states')).toMatchObject({
      status: 500,
      json: { error: 'Listing the stored states failed: disk on fire' },
    });
    expect(await get('/api/states/nightly-1')).toMatchObject({
      status: 500,
      json: { error: 'Loading state nightly-1 failed: connection lost' },
    });
  });

  it('sends what it can of a snapshot that is not plain JSON (a third-party backend)', async () => {
    const backend = filled();
    const odd = snapshot('odd', []);
    (odd.storage as Record<string, unknown>).count = 5n;
    backend.states.set('odd', odd);
    const { get } = await start(backend);
    const answer = await get('/api/states/odd');
    expect(answer.status).toBe(200);
    expect(answer.json.storage).toEqual({ count: '5n' });
  });

  it('answers 404 with how to enable them when the view has no state backend', async () => {
    const { get } = await start();
    for (const path of ['/api/states', '/api/states/x']) {
      const answer = await get(path);
      expect(answer.status).toBe(404);
      expect(answer.json.error).toBe(
        'This live view has no stored states: pass a `stateBackend` to serveLiveView() to list them.',
      );
    }
  });
});
