/**
 * The artifact store (API.md, "ExecutionState": `artifactBackend`; docs/recovery.md, "Large
 * results: the artifact store"), on both built-in state backends: a result whose JSON is at least
 * `minBytes` goes to the store by its sha256 before the run's checkpoint, the stored record holds
 * a reference, and a restored state replays the real result.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ArtifactBackend,
  ArtifactNotFoundError,
  type CheckpointEntry,
  CorruptStateError,
  ExecutionState,
  FileSystemArtifactBackend,
  FileSystemStateBackend,
  artifactRefOf,
  isArtifactReference,
} from '../../src/index.js';
import { tempDir } from './helpers.js';
import { BACKENDS, collect, counter, records, store } from './runtime/helpers.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
/** A result whose JSON is about `kb` KiB. */
const big = (id: number, kb = 70): { id: number; text: string } => ({
  id,
  text: `${id}:`.padEnd(kb * 1024, 'x'),
});

function artifactStore(minBytes?: number): { dir: string; artifacts: FileSystemArtifactBackend } {
  const dir = join(tempDir('rh-artifacts-'), 'artifacts');
  return { dir, artifacts: new FileSystemArtifactBackend({ dir, minBytes }) };
}

/** A user's own ArtifactBackend, in memory, counting its calls. */
class MemoryArtifacts implements ArtifactBackend {
  readonly blobs = new Map<string, string>();
  puts = 0;
  constructor(readonly minBytes: number) {}
  async put(content: string): Promise<string> {
    this.puts++;
    const ref = `sha256:${sha256(content)}`;
    this.blobs.set(ref, content);
    return ref;
  }
  async get(ref: string): Promise<string> {
    const content = this.blobs.get(ref);
    if (content === undefined) throw new Error(`no ${ref}`);
    return content;
  }
  async has(ref: string): Promise<boolean> {
    return this.blobs.has(ref);
  }
  async close(): Promise<void> {}
}

describe.each(BACKENDS)('%s state backend: the artifact store', (_name, kind) => {
  it('stores a large result by its sha256 before the checkpoint; the record holds a reference', async () => {
    const { backend, reopen } = store(kind);
    const { dir, artifacts } = artifactStore(); // default minBytes: 64 KiB
    const { tool } = counter('Fetch', { result: (id) => big(id) });
    const state = new ExecutionState({
      stateId: 'large',
      stateBackend: backend,
      artifactBackend: artifacts,
    });
    const result = await state.run(tool, { id: 1 });
    // The caller and the in-memory history get the real value.
    expect(result).toMatchObject({ ok: true, result: big(1) });
    expect(state.history.get('Fetch::tool_call')?.result).toEqual(big(1));

    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const content = readFileSync(join(dir, files[0]!), 'utf8');
    expect(sha256(content)).toBe(files[0]);
    expect(JSON.parse(content)).toEqual(big(1));

    const stored = await reopen().load('large');
    const completed = stored.history.find((r) => r.status === 'completed');
    expect(completed?.result).toEqual({
      $rhArtifact: `sha256:${files[0]}`,
      bytes: Buffer.byteLength(content),
    });
    expect(JSON.stringify(stored).length).toBeLessThan(10_000);
  });

  it('replays the real result after load() without calling the handler', async () => {
    const { backend, reopen } = store(kind);
    const { artifacts, dir } = artifactStore(1000);
    const first = counter('Fetch', { result: (id) => big(id, 4) });
    const state = new ExecutionState({
      stateId: 'replay',
      stateBackend: backend,
      artifactBackend: artifacts,
    });
    await state.parallel({ name: 'Docs', maxWorkers: 3 }, (p) => {
      for (let id = 0; id < 6; id++) p.add(state.run(first.tool, { id }));
    });
    expect(readdirSync(dir)).toHaveLength(6);

    const again = counter('Fetch', { result: () => 'not called' });
    const restored = await ExecutionState.load('replay', {
      stateBackend: reopen(),
      artifactBackend: new FileSystemArtifactBackend({ dir, minBytes: 1000 }),
    });
    const events = collect(restored);
    const results = await restored.parallel({ name: 'Docs', maxWorkers: 3 }, (p) => {
      for (let id = 0; id < 6; id++) p.add(restored.run(again.tool, { id }));
    });
    expect(again.calls).toEqual([]);
    expect(results.map((r) => r.result)).toEqual([0, 1, 2, 3, 4, 5].map((id) => big(id, 4)));
    const recovered = records(events).filter((r) => r.status === 'recovered');
    expect(recovered).toHaveLength(6);
    expect(recovered.map((r) => r.result)).toEqual(
      recovered.map((r) => big(r.parallelIndex ?? -1, 4)),
    );
  });

  it('keeps small results inline and stores the same content once', async () => {
    const { backend, reopen } = store(kind);
    const { artifacts, dir } = artifactStore(1000);
    const small = counter('Small');
    const same = counter('Same', { result: () => big(7, 2) });
    const state = new ExecutionState({
      stateId: 'mixed',
      stateBackend: backend,
      artifactBackend: artifacts,
    });
    await state.run(small.tool, { id: 1 });
    expect(existsSync(dir)).toBe(false);
    await state.run(same.tool, { id: 1 });
    await state.run(same.tool, { id: 2 });
    expect(readdirSync(dir)).toEqual([sha256(JSON.stringify(big(7, 2)))]);

    const stored = await reopen().load('mixed');
    const done = stored.history.filter((r) => r.status === 'completed');
    expect(done.map((r) => r.address)).toEqual([
      'Small::tool_call',
      'Same::tool_call',
      'Same#2::tool_call',
    ]);
    expect(done[0]?.result).toEqual({ id: 1, n: 10 });
    expect(done[1]?.result).toEqual(done[2]?.result);
    expect(isArtifactReference(done[1]?.result)).toBe(true);
  });

  it('runs again, with a warning naming the address and the reference, when the artifact is gone', async () => {
    const { backend, reopen } = store(kind);
    const { artifacts, dir } = artifactStore(1000);
    const first = counter('Fetch', { result: (id) => big(id, 2) });
    const state = new ExecutionState({
      stateId: 'missing',
      stateBackend: backend,
      artifactBackend: artifacts,
    });
    await state.run(first.tool, { id: 1 });
    await state.run(first.tool, { id: 2 });
    const lost = artifactRefOf(JSON.stringify(big(1, 2)));
    rmSync(join(dir, lost.slice('sha256:'.length)));

    const again = counter('Fetch', { result: (id) => big(id, 2) });
    const restored = await ExecutionState.load('missing', {
      stateBackend: reopen(),
      artifactBackend: artifacts,
    });
    const events = collect(restored);
    expect((await restored.run(again.tool, { id: 1 })).result).toEqual(big(1, 2));
    expect((await restored.run(again.tool, { id: 2 })).result).toEqual(big(2, 2));
    expect(again.calls).toEqual([1]); // only the run whose artifact was lost
    const warnings = events.filter((e) => e.kind === 'log' && e.severity === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      address: 'Fetch::tool_call',
      metadata: { address: 'Fetch::tool_call', ref: lost },
    });
    expect(warnings[0]?.kind === 'log' && warnings[0].message).toContain(lost);
    // The run that ran again stored its artifact again.
    expect(existsSync(join(dir, lost.slice('sha256:'.length)))).toBe(true);
  });

  it('works with a user-implemented ArtifactBackend, and with saveCheckpoint()', async () => {
    const { backend, reopen } = store(kind);
    const memory = new MemoryArtifacts(100);
    const { tool } = counter('Fetch', { result: (id) => big(id, 1) });
    const state = new ExecutionState({
      stateId: 'memory',
      stateBackend: backend,
      artifactBackend: memory,
      checkpoint: 'manual',
    });
    await state.run(tool, { id: 3 });
    expect(memory.puts).toBe(0); // manual: nothing written until saveCheckpoint()
    await state.saveCheckpoint();
    expect(memory.blobs.size).toBe(1);
    const stored = await reopen().load('memory');
    expect(isArtifactReference(stored.history.at(-1)?.result)).toBe(true);

    const again = counter('Fetch');
    const restored = await ExecutionState.load('memory', {
      stateBackend: reopen(),
      artifactBackend: memory,
      replayMode: 'validation',
    });
    const events = collect(restored);
    // Validation runs the handler and compares with the real recorded result: it differs.
    await restored.run(again.tool, { id: 3 });
    const warning = events.find((e) => e.kind === 'log' && e.severity === 'warning');
    expect(warning?.kind === 'log' && warning.message).toMatch(/^Validation: .*differs/);
    expect(warning?.kind === 'log' && (warning.metadata?.recorded as { id: number }).id).toBe(3);
  });
});

describe.each(BACKENDS)('%s state backend: the artifact store, order', (_name, kind) => {
  it('puts the artifact before appending the entry, and keeps the runs in the order they ended', async () => {
    const { backend, reopen } = store(kind);
    const memory = new MemoryArtifacts(1000);
    const put = memory.put.bind(memory);
    memory.put = async (content) => {
      await new Promise((resolve) => setTimeout(resolve, 60)); // a slow store
      return put(content);
    };
    // Every entry, when it reaches the state backend, references only artifacts already stored.
    const unstored: string[] = [];
    const check = (entries: readonly CheckpointEntry[]): void => {
      for (const record of entries.flatMap((entry) => entry.records)) {
        if (isArtifactReference(record.result) && !memory.blobs.has(record.result.$rhArtifact))
          unstored.push(record.address);
      }
    };
    const watched = new Proxy(backend, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (key === 'append')
          return (id: string, entry: CheckpointEntry) => (check([entry]), target.append(id, entry));
        if (key === 'appendMany' && typeof value === 'function')
          return (id: string, entries: CheckpointEntry[]) => (
            check(entries),
            target.appendMany?.(id, entries)
          );
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const large = counter('Large', { result: (id) => big(id, 2) });
    const small = counter('Small', { ms: 20 });
    const state = new ExecutionState({
      stateId: 'order',
      stateBackend: watched,
      artifactBackend: memory,
    });
    const events = collect(state);
    await state.parallel({ name: 'G' }, (p) => {
      p.add(state.run(large.tool, { id: 1 })); // ends first, its put takes 60 ms
      p.add(state.run(small.tool, { id: 2 })); // ends 20 ms later, small
    });
    expect(unstored).toEqual([]);
    const stored = await reopen().load('order');
    expect(stored.history.filter((r) => r.status === 'completed').map((r) => r.address)).toEqual([
      'G[0]::Large::tool_call',
      'G[1]::Small::tool_call',
    ]);
    // Published with the real value, once stored.
    expect(records(events).find((r) => r.status === 'completed')?.result).toEqual(big(1, 2));

    // republish_all publishes the recorded events again, with the real results.
    const restored = await ExecutionState.load('order', {
      stateBackend: reopen(),
      artifactBackend: memory,
      replayMode: 'republish_all',
    });
    const replayed = collect(restored);
    await restored.parallel({ name: 'G' }, (p) => {
      p.add(restored.run(large.tool, { id: 1 }));
      p.add(restored.run(small.tool, { id: 2 }));
    });
    expect(large.calls).toEqual([1]);
    const republished = records(replayed).filter((r) => r.address === 'G[0]::Large::tool_call');
    expect(republished.map((r) => r.status)).toEqual(['started', 'completed']);
    expect(republished[1]?.result).toEqual(big(1, 2));
  });
});

describe('the artifact store: snapshots', () => {
  it('toSnapshot() keeps the references of restored records; fromSnapshot() replays them', async () => {
    const { backend, reopen } = store(BACKENDS[0]![1]);
    const { artifacts } = artifactStore(1000);
    const { tool } = counter('Fetch', { result: (id) => big(id, 2) });
    const state = new ExecutionState({
      stateId: 'snap',
      stateBackend: backend,
      artifactBackend: artifacts,
    });
    await state.run(tool, { id: 5 });
    const loaded = await ExecutionState.load('snap', {
      stateBackend: reopen(),
      artifactBackend: artifacts,
    });
    const snapshot = loaded.toSnapshot();
    expect(isArtifactReference(snapshot.history.at(-1)?.result)).toBe(true);
    // Read-only: a restored state may have an artifactBackend without a stateBackend.
    const again = counter('Fetch');
    const restored = ExecutionState.fromSnapshot(snapshot, { artifactBackend: artifacts });
    expect((await restored.run(again.tool, { id: 5 })).result).toEqual(big(5, 2));
    expect(again.calls).toEqual([]);
  });
});

describe('the artifact store: bad input', () => {
  const stateBackend = (): FileSystemStateBackend =>
    new FileSystemStateBackend({ dir: join(tempDir(), 'states') });

  it('refuses an artifactBackend without a stateBackend', () => {
    expect(() => new ExecutionState({ artifactBackend: new MemoryArtifacts(10) })).toThrow(
      new TypeError(
        "new ExecutionState(): `artifactBackend` needs a `stateBackend` (except on a state restored with fromSnapshot(), which only reads it): large results are stored apart from the state's records, which go to the state backend; pass both, e.g. { stateBackend: new FileSystemStateBackend({ dir: '.rh-agents/states' }), artifactBackend: new FileSystemArtifactBackend({ dir: '.rh-agents/artifacts' }) }.",
      ),
    );
  });

  it('refuses something that is not an ArtifactBackend, naming what is missing', () => {
    expect(
      () =>
        new ExecutionState({
          stateBackend: stateBackend(),
          artifactBackend: { put: async () => 'x' } as unknown as ArtifactBackend,
        }),
    ).toThrow(
      /`artifactBackend` to be an ArtifactBackend \(e\.g\. new FileSystemArtifactBackend\(\{ dir \}\)\), an object with put, get, has, close; got .* \(missing get, has, close\)\./,
    );
    expect(
      () =>
        new ExecutionState({
          stateBackend: stateBackend(),
          artifactBackend: 'dir' as unknown as ArtifactBackend,
        }),
    ).toThrow(/expected `artifactBackend` to be an ArtifactBackend .*got `"dir"` \(string\)\.$/);
  });

  it("refuses a user backend's bad minBytes", () => {
    expect(
      () =>
        new ExecutionState({
          stateBackend: stateBackend(),
          artifactBackend: new MemoryArtifacts(-1),
        }),
    ).toThrow(
      'new ExecutionState() artifactBackend: expected `minBytes` to be a whole number from 0 up, got `-1` (number).',
    );
  });

  it('checks the options of FileSystemArtifactBackend', () => {
    expect(() => new FileSystemArtifactBackend({} as never)).toThrow(
      /new FileSystemArtifactBackend\(\): .*`dir`.*e\.g\. \{ dir: '\.rh-agents\/artifacts' \}/,
    );
    expect(() => new FileSystemArtifactBackend({ dir: 'a', minBytes: 1.5 })).toThrow(
      'new FileSystemArtifactBackend(): expected `minBytes` to be a whole number from 0 up, got `1.5` (number).',
    );
    expect(() => new FileSystemArtifactBackend({ dir: 'a', fsync: 'yes' } as never)).toThrow(
      /`fsync` to be true or false/,
    );
    expect(() => new FileSystemArtifactBackend({ dir: 'a', minbytes: 1 } as never)).toThrow(
      /minbytes/,
    );
    expect(new FileSystemArtifactBackend({ dir: 'a' }).minBytes).toBe(65536);
  });

  it('get()/has() refuse a malformed reference; get() of a missing or damaged artifact says so', async () => {
    const { artifacts, dir } = artifactStore();
    await expect(artifacts.get('../etc/passwd')).rejects.toThrow(
      `FileSystemArtifactBackend.get(): invalid artifact reference \`"../etc/passwd"\` (string); expected 'sha256:' and 64 lowercase hex digits, as put() returns.`,
    );
    await expect(artifacts.has('sha256:ABC')).rejects.toThrow(TypeError);
    const ref = artifactRefOf('hello');
    await expect(artifacts.has(ref)).resolves.toBe(false);
    const missing = await artifacts.get(ref).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ArtifactNotFoundError);
    expect((missing as Error).message).toContain(ref);
    expect(await artifacts.put('hello')).toBe(ref);
    expect(await artifacts.put('hello')).toBe(ref); // idempotent
    expect(readdirSync(dir)).toEqual([ref.slice(7)]);
    await expect(artifacts.get(ref)).resolves.toBe('hello');
    writeFileSync(join(dir, ref.slice(7)), 'hellO');
    await expect(artifacts.get(ref)).rejects.toThrow(CorruptStateError);
    await expect(artifacts.put(42 as never)).rejects.toThrow(
      'FileSystemArtifactBackend.put(): expected the content as a string, got `42` (number).',
    );
  });

  it("fails the run, naming its address, when a backend's put() returns no sha256 reference", async () => {
    const memory = new MemoryArtifacts(10);
    memory.put = async () => 'blob-1';
    const { tool } = counter('Fetch', { result: (id) => big(id, 1) });
    const state = new ExecutionState({ stateBackend: stateBackend(), artifactBackend: memory });
    const result = await state.run(tool, { id: 1 });
    expect(result.ok).toBe(false);
    expect(result.errorMessage).toContain('the run at Fetch::tool_call');
    expect(result.errorMessage).toContain("must return 'sha256:<hex>'");
  });
});
