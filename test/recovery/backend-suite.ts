/**
 * The conformance suite of `StateBackend`: every backend (the filesystem and SQLite ones here,
 * and any third party's) runs it, so they all keep the same contract. Run it from a vitest file:
 *
 *   describeStateBackend('MyBackend', async () => ({ open: () => new MyBackend(…), … }));
 *
 * The fixture gives the suite what only the backend knows: how to reopen the same store, how to
 * see everything stored (to prove a refused call touched nothing), and how to damage a state.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CheckpointEntry,
  type StateBackend,
  type StateSnapshot,
  CorruptStateError,
  StateNotFoundError,
  StateVersionError,
  UnstorableValueError,
} from '../../src/index.js';
import { record, runEntry, sampleSnapshot } from './samples.js';

export { record, runEntry, sampleSnapshot };

export interface StateBackendFixture {
  /**
   * A backend over the store (a new object on each call, over the same data, as after a
   * restart). Configure it to compact often (e.g. every 4 entries) so the suite exercises that.
   */
  open(): StateBackend | Promise<StateBackend>;
  /** Everything stored, as text that changes whenever anything stored changes (files and their contents, rows). */
  fingerprint(): Promise<string>;
  /** Damages the stored base snapshot of a state, as a disk fault would (e.g. cut it in half). */
  corruptBase(stateId: string): Promise<void>;
  /** Rewrites a stored state as if a newer major version of the format had written it. */
  markNewerVersion(stateId: string, version: number): Promise<void>;
  /** Removes the store. */
  destroy(): Promise<void>;
}

const BAD_IDS: unknown[] = [
  '../x',
  'a/b',
  '',
  'x'.repeat(129),
  42,
  undefined,
  null,
  'a b',
  'a.b',
  'é',
];

export function describeStateBackend(
  name: string,
  makeFixture: () => StateBackendFixture | Promise<StateBackendFixture>,
): void {
  describe(`StateBackend conformance: ${name}`, () => {
    let fixture: StateBackendFixture;
    let backend: StateBackend;
    const open: StateBackend[] = [];
    const reopen = async (): Promise<StateBackend> => {
      const b = await fixture.open();
      open.push(b);
      return b;
    };

    beforeEach(async () => {
      fixture = await makeFixture();
      backend = await reopen();
    });
    afterEach(async () => {
      for (const b of open.splice(0)) await b.close();
      await fixture.destroy();
    });

    it('saves and loads a snapshot unchanged, metadata and storage included', async () => {
      const snapshot = sampleSnapshot('round-trip');
      await backend.save(snapshot);
      expect(await backend.load('round-trip')).toEqual(snapshot);
      expect(await backend.has('round-trip')).toBe(true);
      expect(await backend.has('other')).toBe(false);
    });

    it('applies appended entries in order: records, status, storage and updatedAt', async () => {
      await backend.save(sampleSnapshot('s'));
      await backend.append('s', runEntry(0));
      await backend.append('s', runEntry(1, { storage: { cursor: 2, seen: ['a', 'b'] } }));
      await backend.append('s', runEntry(2, { status: 'completed' }));
      const loaded = await backend.load('s');
      expect(loaded.history.map((r) => `${r.address} ${r.status}`)).toEqual([
        'Pipeline::agent_call started',
        ...[0, 1, 2].flatMap((i) => [
          `Pipeline::Pages[${i}]::Fetch::tool_call started`,
          `Pipeline::Pages[${i}]::Fetch::tool_call completed`,
        ]),
      ]);
      expect(loaded.history[6]).toEqual(record('Pipeline::Pages[2]::Fetch::tool_call', 2));
      expect(loaded.status).toBe('completed');
      expect(loaded.storage).toEqual({ cursor: 2, seen: ['a', 'b'] });
      expect(loaded.updatedAt).toBe(runEntry(2).updatedAt);
      expect(loaded.metadata).toEqual(sampleSnapshot('s').metadata);
    });

    it('keeps a failed record with its error, and an entry with only a status change', async () => {
      await backend.save(sampleSnapshot('f'));
      const failed = record('Pipeline::Pages[0]::Fetch::tool_call', 0, 'failed');
      await backend.append('f', { records: [failed], updatedAt: 5 });
      await backend.append('f', { records: [], status: 'failed', updatedAt: 6 });
      const loaded = await backend.load('f');
      expect(loaded.history.at(-1)).toEqual(failed);
      expect(loaded.status).toBe('failed');
      expect(loaded.updatedAt).toBe(6);
    });

    it('save replaces a state: earlier appends are gone, later ones build on the new snapshot', async () => {
      await backend.save(sampleSnapshot('r'));
      for (let i = 0; i < 10; i++) await backend.append('r', runEntry(i));
      const replacement = sampleSnapshot('r', { history: [], status: 'interrupted', storage: {} });
      await backend.save(replacement);
      expect(await backend.load('r')).toEqual(replacement);
      await backend.append('r', runEntry(42));
      expect((await backend.load('r')).history.map((r) => r.parallelIndex)).toEqual([42, 42]);
      const again = await reopen();
      expect((await again.load('r')).history).toHaveLength(2);
    });

    it('lists states newest first, by tag and by pipeline, with status and updatedAt from appends', async () => {
      expect(await backend.list()).toEqual([]);
      await backend.save(
        sampleSnapshot('old', { updatedAt: 1000, metadata: { tags: ['a'], pipeline: 'p1' } }),
      );
      await backend.save(
        sampleSnapshot('mid', { updatedAt: 2000, metadata: { tags: ['a', 'b'] } }),
      );
      await backend.save(
        sampleSnapshot('new', { updatedAt: 3000, metadata: { tags: [], pipeline: 'p1' } }),
      );
      expect((await backend.list()).map((s) => s.stateId)).toEqual(['new', 'mid', 'old']);
      expect(await backend.list({ tag: 'a' })).toEqual([
        {
          stateId: 'mid',
          tags: ['a', 'b'],
          status: 'running',
          createdAt: 1_700_000_000_000,
          updatedAt: 2000,
        },
        {
          stateId: 'old',
          pipeline: 'p1',
          tags: ['a'],
          status: 'running',
          createdAt: 1_700_000_000_000,
          updatedAt: 1000,
        },
      ]);
      expect((await backend.list({ tag: 'b' })).map((s) => s.stateId)).toEqual(['mid']);
      expect((await backend.list({ pipeline: 'p1' })).map((s) => s.stateId)).toEqual([
        'new',
        'old',
      ]);
      expect((await backend.list({ pipeline: 'p1', tag: 'a' })).map((s) => s.stateId)).toEqual([
        'old',
      ]);
      expect(await backend.list({ tag: 'none' })).toEqual([]);
      await backend.append('old', { records: [], status: 'completed', updatedAt: 4000 });
      await backend.append('old', { records: [], updatedAt: 5000 });
      const [first] = await backend.list();
      expect(first).toMatchObject({ stateId: 'old', status: 'completed', updatedAt: 5000 });
      expect((await (await reopen()).list()).map((s) => s.stateId)).toEqual(['old', 'new', 'mid']);
    });

    it('refuses a bad list filter with a TypeError', async () => {
      await expect(backend.list({ tag: 5 as unknown as string })).rejects.toThrow(TypeError);
      await expect(backend.list({ colour: 'x' } as never)).rejects.toThrow(/colour/);
    });

    it('deletes a state: resolves whether it existed, and it is gone from has, load and list', async () => {
      await backend.save(sampleSnapshot('d'));
      await backend.append('d', runEntry(0));
      await backend.save(sampleSnapshot('keep'));
      expect(await backend.delete('d')).toBe(true);
      expect(await backend.delete('d')).toBe(false);
      expect(await backend.delete('never')).toBe(false);
      expect(await backend.has('d')).toBe(false);
      await expect(backend.load('d')).rejects.toThrow(StateNotFoundError);
      expect((await backend.list()).map((s) => s.stateId)).toEqual(['keep']);
      await backend.save(sampleSnapshot('d', { history: [] }));
      expect((await backend.load('d')).history).toEqual([]);
    });

    it('throws StateNotFoundError for an unknown id, naming it and suggesting list()', async () => {
      const error = await backend.load('missing-1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StateNotFoundError);
      expect((error as StateNotFoundError).stateId).toBe('missing-1');
      expect((error as Error).message).toMatch(/'missing-1'.*list\(\)/);
      await expect(async () => backend.append('missing-1', runEntry(0))).rejects.toThrow(
        StateNotFoundError,
      );
      expect(await backend.has('missing-1')).toBe(false);
    });

    it('refuses a bad state id with a TypeError before touching anything', async () => {
      await backend.save(sampleSnapshot('present'));
      await backend.append('present', runEntry(0));
      const before = await fixture.fingerprint();
      for (const id of BAD_IDS) {
        const bad = id as string;
        await expect(backend.has(bad), `has(${String(id)})`).rejects.toThrow(TypeError);
        await expect(backend.load(bad)).rejects.toThrow(/invalid state id/);
        await expect(backend.delete(bad)).rejects.toThrow(TypeError);
        await expect(async () => backend.append(bad, runEntry(1))).rejects.toThrow(TypeError);
        await expect(backend.save({ ...sampleSnapshot('x'), stateId: bad })).rejects.toThrow(
          TypeError,
        );
      }
      expect(await fixture.fingerprint()).toBe(before);
      expect((await backend.load('present')).history).toHaveLength(3);
    });

    it('refuses a snapshot or an entry that is not valid, storing nothing', async () => {
      const before = await fixture.fingerprint();
      const bad = {
        ...sampleSnapshot('v'),
        history: [{ address: 'x' }],
      } as unknown as StateSnapshot;
      await expect(backend.save(bad)).rejects.toThrow(/history\[0\]/);
      await expect(backend.save(null as unknown as StateSnapshot)).rejects.toThrow(TypeError);
      await expect(
        backend.save({ ...sampleSnapshot('v'), status: 'paused' as 'running' }),
      ).rejects.toThrow(/status/);
      expect(await fixture.fingerprint()).toBe(before);
      await backend.save(sampleSnapshot('v'));
      const saved = await fixture.fingerprint();
      await expect(async () =>
        backend.append('v', { records: 'x' } as unknown as CheckpointEntry),
      ).rejects.toThrow(/records/);
      expect(await fixture.fingerprint()).toBe(saved);
    });

    it('refuses what JSON cannot hold with an UnstorableValueError, and the last good state still loads', async () => {
      await backend.save(sampleSnapshot('u'));
      await backend.append('u', runEntry(0));
      const bigint = { ...runEntry(1), storage: { n: 10n as unknown as number } };
      await expect(async () => backend.append('u', bigint)).rejects.toThrow(UnstorableValueError);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expect(backend.save(sampleSnapshot('u', { storage: cyclic as never }))).rejects.toThrow(
        UnstorableValueError,
      );
      const loaded = await backend.load('u');
      expect(loaded.history).toHaveLength(3);
      await backend.append('u', runEntry(2));
      expect((await backend.load('u')).history).toHaveLength(5);
    });

    it('refuses a state of a newer major format with a StateVersionError that says to upgrade', async () => {
      await backend.save(sampleSnapshot('future'));
      await backend.append('future', runEntry(0));
      await fixture.markNewerVersion('future', 2);
      const error = await (await reopen()).load('future').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StateVersionError);
      expect((error as StateVersionError).version).toBe(2);
      expect((error as Error).message).toMatch(/future[^]*version 2[^]*Upgrade rh-agents/);
      const before = await fixture.fingerprint();
      await expect(backend.save({ ...sampleSnapshot('next'), version: 3 })).rejects.toThrow(
        StateVersionError,
      );
      expect(await fixture.fingerprint()).toBe(before);
    });

    it('throws CorruptStateError for a damaged base, naming the state and what to do', async () => {
      await backend.save(sampleSnapshot('broken'));
      await backend.append('broken', runEntry(0));
      await backend.save(sampleSnapshot('fine'));
      await fixture.corruptBase('broken');
      const fresh = await reopen();
      const error = await fresh.load('broken').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptStateError);
      expect((error as Error).message).toMatch(/'broken'[^]*(backup|delete)/);
      expect((await fresh.load('fine')).stateId).toBe('fine');
      expect(await fresh.delete('broken')).toBe(true);
      expect(await fresh.has('broken')).toBe(false);
    });

    it('keeps two states written in interleaved appends apart', async () => {
      await backend.save(sampleSnapshot('a', { history: [] }));
      await backend.save(sampleSnapshot('b', { history: [] }));
      const writes: (void | Promise<void>)[] = [];
      for (let i = 0; i < 200; i++) {
        writes.push(backend.append('a', runEntry(i)));
        writes.push(backend.append('b', runEntry(1000 + i, { storage: { last: i } })));
      }
      await Promise.all(writes);
      const a = await backend.load('a');
      const b = await (await reopen()).load('b');
      expect(a.history.map((r) => r.parallelIndex)).toEqual(
        Array.from({ length: 200 }, (_, i) => [i, i]).flat(),
      );
      expect(b.history.map((r) => r.parallelIndex)).toEqual(
        Array.from({ length: 200 }, (_, i) => [1000 + i, 1000 + i]).flat(),
      );
      expect(a.storage).toEqual(sampleSnapshot('a').storage);
      expect(b.storage).toEqual({ last: 199 });
    });

    it('loads a history of 10 000 entries in order', async () => {
      await backend.save(sampleSnapshot('big', { history: [] }));
      for (let i = 0; i < 10_000; i++) {
        await backend.append('big', {
          records: [record(`Big[${i}]::Fetch::tool_call`, i)],
          updatedAt: i,
        });
      }
      for (const b of [backend, await reopen()]) {
        const loaded = await b.load('big');
        expect(loaded.history).toHaveLength(10_000);
        expect(loaded.history.every((r, i) => r.parallelIndex === i)).toBe(true);
        expect(loaded.history[9_999]).toEqual(record('Big[9999]::Fetch::tool_call', 9_999));
        expect(loaded.updatedAt).toBe(9_999);
      }
    });

    it('keeps everything across close and reopen, and appends after that (and after compactions) continue', async () => {
      await backend.save(sampleSnapshot('c', { history: [] }));
      for (let i = 0; i < 50; i++) await backend.append('c', runEntry(i));
      await backend.close();
      const second = await reopen();
      expect((await second.load('c')).history).toHaveLength(100);
      for (let i = 50; i < 100; i++) await second.append('c', runEntry(i));
      await second.close();
      const third = await reopen();
      const loaded = await third.load('c');
      expect(loaded.history.map((r) => r.parallelIndex)).toEqual(
        Array.from({ length: 100 }, (_, i) => [i, i]).flat(),
      );
      expect(await third.has('c')).toBe(true);
      expect((await third.list()).map((s) => s.updatedAt)).toEqual([runEntry(99).updatedAt]);
    });

    it('refuses calls after close', async () => {
      await backend.close();
      await backend.close();
      await expect(backend.load('x')).rejects.toThrow(/closed/);
      await expect(backend.list()).rejects.toThrow(/closed/);
      await expect(backend.save(sampleSnapshot('x'))).rejects.toThrow(/closed/);
    });
  });
}
