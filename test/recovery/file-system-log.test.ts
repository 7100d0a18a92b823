/**
 * FileSystemStateBackend on disk: the files it writes, a torn last log line (a crash mid-write)
 * that is ignored and cut before the next append, and damage elsewhere that is reported with
 * the file, line and byte instead of being loaded as wrong data.
 */
import {
  appendFileSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptStateError, FileSystemStateBackend, StateVersionError } from '../../src/index.js';
import { encodeLogLine } from '../../src/recovery/log-line.js';
import { fileSystemFixture } from './helpers.js';
import { runEntry, sampleSnapshot } from './samples.js';

let fixture: ReturnType<typeof fileSystemFixture>;
let backend: FileSystemStateBackend;
const logFile = (id = 's'): string => join(fixture.dir, `${id}.log.jsonl`);
const baseFile = (id = 's'): string => join(fixture.dir, `${id}.state.jsonl`);
const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').slice(0, -1);
/** The indexes of the runs that completed, in the loaded history. */
const indexes = async (b = backend, id = 's'): Promise<number[]> =>
  (await b.load(id)).history
    .filter((r) => r.status === 'completed')
    .map((r) => r.parallelIndex as number);

beforeEach(async () => {
  fixture = fileSystemFixture({ compactEvery: Infinity });
  backend = fixture.open() as FileSystemStateBackend;
  await backend.save(sampleSnapshot('s'));
  for (let i = 0; i < 5; i++) backend.append('s', runEntry(i));
});
afterEach(async () => {
  await backend.close();
  await fixture.destroy();
});

describe('files', () => {
  it('keeps a base (header, snapshot, history lines) and a log of checksummed JSON lines', () => {
    expect(readdirSync(fixture.dir).sort()).toEqual(['s.log.jsonl', 's.state.jsonl']);
    const [header, snapshot, history, ...rest] = lines(baseFile());
    expect(rest).toEqual([]);
    expect(JSON.parse(header as string)).toEqual({
      format: 'rh-agents/state',
      version: 1,
      stateId: 's',
      seq: 0,
      status: 'running',
      pipeline: 'reports',
      tags: ['nightly', 'eu'],
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000,
    });
    expect(JSON.parse(snapshot as string)).toEqual({ ...sampleSnapshot('s'), history: [] });
    expect(JSON.parse(history as string)).toEqual(sampleSnapshot('s').history);
    const log = lines(logFile()).map((line) => JSON.parse(line));
    expect(log.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(log[2]).toEqual({
      seq: 3,
      status: 'running',
      entry: runEntry(2),
      crc: expect.stringMatching(/^[0-9a-f]{8}$/),
    });
  });

  it('folds the log into the base once it holds compactEvery entries and outgrew the base', async () => {
    const compacting = new FileSystemStateBackend({ dir: fixture.dir, compactEvery: 4 });
    await compacting.save(sampleSnapshot('c', { history: [] }));
    for (let i = 0; i < 3; i++) compacting.append('c', runEntry(i));
    expect(lines(logFile('c'))).toHaveLength(3);
    compacting.append('c', runEntry(3));
    expect(lines(logFile('c'))).toHaveLength(0);
    const folded = lines(baseFile('c'));
    expect(JSON.parse(folded[0] as string).seq).toBe(4);
    // The saved history (empty) and one line of records per folded entry.
    expect(folded.slice(2).map((line) => JSON.parse(line))).toEqual([
      [],
      ...[0, 1, 2, 3].map((i) => runEntry(i).records),
    ]);
    for (let i = 4; i < 6; i++) compacting.append('c', runEntry(i));
    expect(lines(logFile('c')).map((l) => JSON.parse(l).seq)).toEqual([5, 6]);
    expect(readdirSync(fixture.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(await indexes(compacting, 'c')).toEqual([0, 1, 2, 3, 4, 5]);
    await compacting.close();
  });

  it('with fsync: true, stores and reloads the same data', async () => {
    const synced = new FileSystemStateBackend({ dir: fixture.dir, fsync: true, compactEvery: 2 });
    await synced.save(sampleSnapshot('f', { history: [] }));
    for (let i = 0; i < 4; i++) synced.append('f', runEntry(i));
    expect(await indexes(synced, 'f')).toEqual([0, 1, 2, 3]);
    await synced.close();
    expect((await backend.load('f')).history).toHaveLength(8);
  });
});

describe('a torn last log line', () => {
  it('(cut mid-write) is ignored: the earlier records load, and list shows the last good one', async () => {
    const size = readFileSync(logFile()).length;
    truncateSync(logFile(), size - 40);
    expect(await indexes()).toEqual([0, 1, 2, 3]);
    const fresh = new FileSystemStateBackend({ dir: fixture.dir });
    expect((await fresh.list())[0]?.updatedAt).toBe(runEntry(3).updatedAt);
    await fresh.close();
  });

  it('is cut off before the next append, so that append lands on a line of its own', async () => {
    await backend.close();
    truncateSync(logFile(), readFileSync(logFile()).length - 40);
    backend = new FileSystemStateBackend({ dir: fixture.dir });
    backend.append('s', runEntry(9));
    expect(lines(logFile()).map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await indexes()).toEqual([0, 1, 2, 3, 9]);
  });

  it('with a newline but a failing checksum, or zeros left by a power loss, is ignored too', async () => {
    const text = readFileSync(logFile(), 'utf8');
    writeFileSync(logFile(), text.slice(0, -30) + 'X' + text.slice(-29));
    expect(await indexes()).toEqual([0, 1, 2, 3]);
    writeFileSync(logFile(), text + '\0'.repeat(300));
    expect(await indexes()).toEqual([0, 1, 2, 3, 4]);
    await backend.close();
    backend = new FileSystemStateBackend({ dir: fixture.dir });
    backend.append('s', runEntry(5));
    expect(await indexes()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(readFileSync(logFile(), 'utf8')).not.toContain('\0');
  });
});

describe('damage that is not a torn tail', () => {
  it('a bad line in the middle throws CorruptStateError naming the file, line and byte', async () => {
    const all = lines(logFile());
    all[2] = (all[2] as string).replace('"words"', '"wordz"');
    writeFileSync(logFile(), all.join('\n') + '\n');
    const error = (await backend.load('s').catch((e: unknown) => e)) as CorruptStateError;
    expect(error).toBeInstanceOf(CorruptStateError);
    const offset = Buffer.byteLength(`${all[0]}\n${all[1]}\n`);
    expect(error).toMatchObject({ location: logFile(), line: 3, offset });
    expect(error.message).toContain(
      `${logFile()} line 3 (byte ${offset}): the checksum does not match the line`,
    );
    expect(error.message).toMatch(
      /entries before that line are intact[^]*cut it at line 3[^]*delete/,
    );
    const fresh = new FileSystemStateBackend({ dir: fixture.dir });
    expect(() => fresh.append('s', runEntry(9))).toThrow(CorruptStateError);
    expect(lines(logFile())).toHaveLength(5);
    await fresh.close();
  });

  it('a line that checks out but holds no valid entry throws even at the end', async () => {
    appendFileSync(logFile(), encodeLogLine(6, 'running', '{"records":"nope","updatedAt":1}'));
    await expect(backend.load('s')).rejects.toThrow(/line 6 .*`records` must be an array/);
    writeFileSync(
      logFile(),
      encodeLogLine(1, 'running', '{"records":[],"updatedAt":1').slice(0, -1) + '\n',
    );
    await expect(backend.load('s')).rejects.toThrow(/line 1 .*not JSON/);
  });

  it('a missing entry (a gap in the sequence) throws', async () => {
    const all = lines(logFile());
    writeFileSync(logFile(), [all[0], all[2]].join('\n') + '\n');
    await expect(backend.load('s')).rejects.toThrow(
      /line 2 .*entry 3 follows entry 1 \(entries are missing\)/,
    );
    writeFileSync(logFile(), [all[0], all[1], all[0]].join('\n') + '\n');
    await expect(backend.load('s')).rejects.toThrow(/line 3 .*entry 1 follows entry 2/);
    const [header, ...rest] = lines(baseFile()) as [string, ...string[]];
    writeFileSync(
      baseFile(),
      [JSON.stringify({ ...JSON.parse(header), seq: 2 }), ...rest, ''].join('\n'),
    );
    writeFileSync(logFile(), [all[2], all[0]].join('\n') + '\n');
    await expect(backend.load('s')).rejects.toThrow(/line 2 .*entry 1 comes after entry 3/);
  });

  it('a damaged base throws CorruptStateError saying what is wrong with it', async () => {
    const text = readFileSync(baseFile(), 'utf8');
    const [header, snapshot, history] = text.split('\n') as [string, string, string];
    const edit = (line: string, change: object): string =>
      JSON.stringify({ ...JSON.parse(line), ...change });
    const cases: [string, RegExp][] = [
      [header, /no complete header line/],
      [`{${header}\n${snapshot}\n${history}\n`, /line 1 \(the header\) is not JSON/],
      [
        `${header}\n${snapshot}\n${history}`,
        /truncated \(expected a header line, a snapshot line and history lines/,
      ],
      [`${header}\n${snapshot}\n`, /truncated/],
      [`${header}\n${snapshot.slice(0, -5)}\n${history}\n`, /line 2 \(the snapshot\) is not JSON/],
      [
        `${header}\n[]\n${history}\n`,
        /is not a valid rh-agents state: expected an object, got an array/,
      ],
      [`${header}\n7\n${history}\n`, /line 2 \(the snapshot\) is not an object/],
      [
        `${header}\n${snapshot}\n${history}\n${history.slice(1)}\n`,
        /line 4 \(history\) is not JSON/,
      ],
      [`${header}\n${snapshot}\n${history}\n{}\n`, /line 4 \(history\) is not an array/],
      [`${header}\n${snapshot}\n${history}\n\n`, /line 4 \(history\) is not JSON/],
      [`${edit(header, { seq: -1 })}\n${snapshot}\n${history}\n`, /not a valid header/],
      [
        `${edit(header, { stateId: 't' })}\n${snapshot}\n${history}\n`,
        /holds state "t", not 's' \(a renamed file\?\)/,
      ],
      [
        `${header}\n${edit(snapshot, { stateId: 't' })}\n${history}\n`,
        /its snapshot is of state "t"/,
      ],
      [`${header}\n${edit(snapshot, { history: {} })}\n${history}\n`, /`history` must be an array/],
      [`${header}\n${snapshot}\n[{"address":1}]\n`, /history\[0\]: `actor` must be an object/],
    ];
    for (const [content, message] of cases) {
      writeFileSync(baseFile(), content);
      const error = await backend.load('s').catch((e: unknown) => e);
      expect(error, String(message)).toBeInstanceOf(CorruptStateError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(`State 's'`);
    }
    writeFileSync(baseFile(), `${edit(header, { version: 7 })}\n{}\n[]\n`);
    await expect(backend.load('s')).rejects.toThrow(StateVersionError);
    await expect(new FileSystemStateBackend({ dir: fixture.dir }).list()).rejects.toThrow(
      StateVersionError,
    );
  });
});

describe('file errors', () => {
  it('a state file that cannot be read or removed fails with its error, not as a missing state', async () => {
    await backend.save(sampleSnapshot('odd'));
    mkdirSync(logFile('odd'));
    await expect(backend.load('odd')).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(backend.delete('odd')).rejects.toMatchObject({
      code: expect.stringMatching(/EISDIR|EPERM/),
    });
    rmSync(logFile('odd'), { recursive: true });
    expect(await backend.delete('odd')).toBe(false);
  });
});

describe('list', () => {
  it('reads only the header and the end of the log, whatever their size, and skips other files', async () => {
    const tags = Array.from({ length: 3000 }, (_, i) => `tag-${i}`);
    await backend.save(sampleSnapshot('wide', { metadata: { tags } }));
    const storage = { blob: 'x'.repeat(40_000) };
    backend.append('wide', runEntry(0, { storage, updatedAt: 7 }));
    backend.append('wide', runEntry(1, { storage, updatedAt: 8, status: 'failed' }));
    writeFileSync(join(fixture.dir, 'notes.txt'), 'not a state');
    writeFileSync(join(fixture.dir, 'orphan.log.jsonl'), '');
    writeFileSync(join(fixture.dir, 'x.state.jsonl.tmp'), 'half');
    const listed = await backend.list({ tag: 'tag-2999' });
    expect(listed).toEqual([
      { stateId: 'wide', tags, status: 'failed', createdAt: 1_700_000_000_000, updatedAt: 8 },
    ]);
    expect((await backend.list()).map((s) => s.stateId)).toEqual(['s', 'wide']);
  });

  it('is empty when the directory does not exist yet, which only the first save creates', async () => {
    const dir = join(fixture.dir, 'later');
    const fresh = new FileSystemStateBackend({ dir });
    expect(await fresh.list()).toEqual([]);
    expect(await fresh.has('a')).toBe(false);
    expect(readdirSync(fixture.dir)).not.toContain('later');
    await fresh.save(sampleSnapshot('a'));
    expect(readdirSync(dir)).toEqual(['a.state.jsonl']);
    await fresh.close();
  });
});

describe('options', () => {
  it('are checked when the backend is built, naming the option and the value', () => {
    const make = (options: unknown) => () => new FileSystemStateBackend(options as never);
    expect(make(undefined)).toThrow(
      'FileSystemStateBackend: expected an options object, got `undefined` (undefined).',
    );
    expect(make({})).toThrow(
      /expected `dir` to be a non-empty string, got `undefined`.*e\.g\. \{ dir: '\.rh-agents\/states' \}/,
    );
    expect(make({ dir: '' })).toThrow(/`dir`/);
    expect(make({ dir: 'x', fsync: 'yes' })).toThrow(
      'FileSystemStateBackend: expected `fsync` to be true or false, got `"yes"` (string).',
    );
    expect(make({ dir: 'x', compactEvery: 0 })).toThrow(
      'FileSystemStateBackend: expected `compactEvery` to be a whole number from 1 up or `Infinity`, got `0` (number).',
    );
    expect(make({ dir: 'x', compact: 3 })).toThrow(
      'unknown option `compact`; known options are `dir`, `fsync`, `compactEvery`',
    );
    expect(new FileSystemStateBackend({ dir: 'rel', fsync: undefined }).dir).toBe(
      join(process.cwd(), 'rel'),
    );
  });
});
