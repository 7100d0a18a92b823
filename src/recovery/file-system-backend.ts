/**
 * `FileSystemStateBackend`: the embedded default. Each state is a base file (`<id>.state.jsonl`,
 * replaced atomically) and an append log (`<id>.log.jsonl`, one checksummed line per entry,
 * written with one `write` per entry on a file descriptor kept open), folded into the base now
 * and then. See `state-files.ts` for the format and docs/recovery.md for the guarantees.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { RhAgentsError } from '../util/errors.js';
import { type StateBackend, checkFilter, checkStateId } from './backend.js';
import { StateNotFoundError } from './errors.js';
import { stringifyForStorage as stringify } from './json-value.js';
import { encodeLogLine } from './log-line.js';
import {
  type CheckpointEntry,
  type StateSnapshot,
  type StateStatus,
  type StateSummary,
  applyEntries,
  checkSnapshotToSave,
  entryProblem,
} from './snapshot.js';
import { readText, removeFile, writeWhole } from './file-io.js';
import {
  type FileSystemStateBackendOptions,
  defaultFileSystemStateBackendOptions,
} from './file-system-options.js';
import {
  type BaseHeader,
  encodeBase,
  parseBase,
  parseLog,
  readHeader,
  splitBase,
  readLastLogLine,
} from './state-files.js';
import { checkBoolean, checkInteger, checkNonEmptyString, checkOptions } from '../util/validate.js';

const OWNER = 'FileSystemStateBackend';
const KNOWN = ['dir', 'fsync', 'compactEvery'] as const;
const BASE = '.state.jsonl';
const LOG = '.log.jsonl';
const TMP = '.tmp';
const BASE_NAME = /^([A-Za-z0-9_-]{1,128})\.state\.jsonl$/;

/** The open log of a state this backend appends to. */
interface Writer {
  fd: number;
  /** The sequence number of the last entry written. */
  seq: number;
  status: StateStatus;
  /** Lines in the log now, and its size in bytes. */
  lines: number;
  logBytes: number;
  baseBytes: number;
  /** The line count at which the next compaction may run (raised after a failed one). */
  compactAt: number;
}

/** Stores each state as files in a directory. One process writes a given state at a time. */
export class FileSystemStateBackend implements StateBackend {
  /** The directory, resolved to an absolute path. */
  readonly dir: string;
  readonly #fsync: boolean;
  readonly #compactEvery: number;
  readonly #writers = new Map<string, Writer>();
  #closed = false;

  constructor(options: FileSystemStateBackendOptions) {
    checkOptions(OWNER, options, KNOWN);
    const dir = checkNonEmptyString(
      OWNER,
      'dir',
      options.dir,
      "pass the directory to keep states in, e.g. { dir: '.rh-agents/states' }",
    );
    const { fsync, compactEvery } = {
      ...defaultFileSystemStateBackendOptions,
      ...stripUndefined(options),
    };
    this.dir = resolve(dir);
    this.#fsync = checkBoolean(OWNER, 'fsync', fsync);
    this.#compactEvery = checkInteger(OWNER, 'compactEvery', compactEvery, {
      min: 1,
      allowInfinity: true,
    });
  }

  async has(stateId: string): Promise<boolean> {
    this.#check(stateId, 'has');
    return existsSync(this.#base(stateId));
  }

  async load(stateId: string): Promise<StateSnapshot> {
    this.#check(stateId, 'load');
    return this.#read(stateId);
  }

  async save(snapshot: StateSnapshot): Promise<void> {
    this.#checkOpen('save');
    const stateId = checkSnapshotToSave(snapshot, `${OWNER}.save`);
    const where = `state '${stateId}'`;
    const meta = stringify({ ...snapshot, history: [] }, where, 'snapshot');
    const history = `${stringify(snapshot.history, where, 'history')}\n`;
    mkdirSync(this.dir, { recursive: true });
    const writer = this.#writers.get(stateId);
    const seq = writer?.seq ?? this.#lastSeqOnDisk(stateId);
    const baseBytes = this.#replaceBase(stateId, encodeBase(snapshot, seq, meta, history));
    if (writer === undefined) removeFile(this.#log(stateId));
    else {
      this.#replaceLog(stateId, writer);
      writer.status = snapshot.status;
      writer.baseBytes = baseBytes;
      writer.compactAt = this.#compactEvery;
    }
  }

  append(stateId: string, entry: CheckpointEntry): void {
    this.#check(stateId, 'append');
    const problem = entryProblem(entry);
    if (problem !== undefined) {
      throw new TypeError(
        `${OWNER}.append: the entry for state '${stateId}' is not valid: ${problem}.`,
      );
    }
    const json = stringify(entry, `state '${stateId}'`, 'entry');
    const writer = this.#writer(stateId);
    const status = entry.status ?? writer.status;
    const line = encodeLogLine(writer.seq + 1, status, json);
    writer.logBytes += writeWhole(writer.fd, line, writer.logBytes);
    if (this.#fsync) fsyncSync(writer.fd);
    writer.seq++;
    writer.status = status;
    writer.lines++;
    if (writer.lines >= writer.compactAt && writer.logBytes >= writer.baseBytes) {
      this.#compact(stateId, writer);
    }
  }

  async list(filter: { tag?: string; pipeline?: string } = {}): Promise<StateSummary[]> {
    this.#checkOpen('list');
    checkFilter(filter, OWNER);
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: StateSummary[] = [];
    for (const name of names) {
      const stateId = BASE_NAME.exec(name)?.[1];
      if (stateId === undefined) continue;
      // The log's end before the header: a fold in between then only makes the header newer.
      const last = readLastLogLine(this.#log(stateId));
      let header;
      try {
        header = readHeader(this.#base(stateId), stateId, this.dir);
      } catch (error) {
        if (error instanceof StateNotFoundError) continue; // deleted while listing
        throw error;
      }
      if (filter.pipeline !== undefined && header.pipeline !== filter.pipeline) continue;
      if (filter.tag !== undefined && !header.tags.includes(filter.tag)) continue;
      const summary: StateSummary = {
        stateId,
        tags: header.tags,
        status: header.status,
        createdAt: header.createdAt,
        updatedAt: header.updatedAt,
      };
      if (header.pipeline !== undefined) summary.pipeline = header.pipeline;
      if (last !== undefined && last.seq > header.seq) {
        summary.status = last.status;
        summary.updatedAt = last.entry.updatedAt;
      }
      out.push(summary);
    }
    return out.sort(newestFirst);
  }

  async delete(stateId: string): Promise<boolean> {
    this.#check(stateId, 'delete');
    this.#closeWriter(stateId);
    const existed = removeFile(this.#base(stateId));
    removeFile(this.#log(stateId));
    removeFile(this.#base(stateId) + TMP);
    removeFile(this.#log(stateId) + TMP);
    return existed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const stateId of [...this.#writers.keys()]) this.#closeWriter(stateId);
  }

  // ---- reading --------------------------------------------------------------------------------

  /** The state from disk: the log is read before the base, so a fold in between loses nothing. */
  #read(stateId: string): StateSnapshot {
    const logText = readText(this.#log(stateId)) ?? '';
    const baseText = readText(this.#base(stateId));
    if (baseText === undefined) throw new StateNotFoundError(stateId, this.dir);
    const { header, snapshot } = parseBase(baseText, this.#base(stateId), stateId);
    const { entries } = parseLog(logText, this.#log(stateId), stateId, header.seq);
    return applyEntries(
      snapshot,
      entries.map((line) => line.entry),
    );
  }

  #lastSeqOnDisk(stateId: string): number {
    let seq = 0;
    if (existsSync(this.#base(stateId)))
      seq = readHeader(this.#base(stateId), stateId, this.dir).seq;
    const last = readLastLogLine(this.#log(stateId));
    return Math.max(seq, last?.seq ?? 0);
  }

  // ---- writing --------------------------------------------------------------------------------

  /** The open log of a saved state, opened on its first append (cutting off a torn tail). */
  #writer(stateId: string): Writer {
    const open = this.#writers.get(stateId);
    if (open !== undefined) return open;
    let header: BaseHeader;
    try {
      header = readHeader(this.#base(stateId), stateId, this.dir);
    } catch (error) {
      if (!(error instanceof StateNotFoundError)) throw error;
      throw new StateNotFoundError(stateId, this.dir, {
        message: `${OWNER}.append: no state '${stateId}' is stored in ${this.dir}; save() a snapshot of it before appending.`,
      });
    }
    const logText = readText(this.#log(stateId)) ?? '';
    const { entries, validChars, lines } = parseLog(
      logText,
      this.#log(stateId),
      stateId,
      header.seq,
    );
    const last = entries.at(-1);
    const writer: Writer = {
      fd: -1,
      seq: last?.seq ?? header.seq,
      status: last?.status ?? header.status,
      lines,
      logBytes: Buffer.byteLength(logText.slice(0, validChars)),
      baseBytes: statSync(this.#base(stateId)).size,
      compactAt: this.#compactEvery,
    };
    if (last === undefined && lines > 0) {
      // Only entries already in the base (a crash between a fold's two renames): start afresh.
      this.#replaceLog(stateId, writer);
    } else {
      writer.fd = openSync(this.#log(stateId), 'a');
      // A crash mid-write left a torn tail: cut it, so the next line starts on a line of its own.
      if (writer.logBytes < Buffer.byteLength(logText)) ftruncateSync(writer.fd, writer.logBytes);
    }
    this.#writers.set(stateId, writer);
    return writer;
  }

  /**
   * Folds the log into the base: the base's history lines are copied as they are, the log's
   * records added as new lines, and its newest status, storage and timestamp taken. Crash-safe
   * at every step: the new base (with the last folded sequence number) replaces the old by a
   * rename, then an empty log replaces the old one; a crash in between leaves a log whose
   * entries the base already holds, which readers skip.
   */
  #compact(stateId: string, writer: Writer): void {
    try {
      const baseText = readText(this.#base(stateId)) ?? '';
      const { header, meta, historyLines } = splitBase(baseText, this.#base(stateId), stateId);
      const logText = readText(this.#log(stateId)) ?? '';
      const { entries } = parseLog(logText, this.#log(stateId), stateId, header.seq);
      let added = '';
      for (const { entry, status } of entries) {
        added += `${JSON.stringify(entry.records)}\n`;
        meta.status = status;
        if (entry.storage !== undefined) meta.storage = entry.storage;
        meta.updatedAt = entry.updatedAt;
      }
      const text = encodeBase(meta, writer.seq, JSON.stringify(meta), historyLines + added);
      writer.baseBytes = this.#replaceBase(stateId, text);
      this.#replaceLog(stateId, writer);
      writer.compactAt = this.#compactEvery;
    } catch {
      // The entry is stored either way; retry the fold later rather than fail a done append.
      // A temp file left behind is ignored by readers and replaced by the next fold.
      writer.compactAt = writer.lines * 2;
    }
  }

  /** Writes a base through a temp file and a rename; returns its size in bytes. */
  #replaceBase(stateId: string, text: string): number {
    const tmp = this.#base(stateId) + TMP;
    const fd = openSync(tmp, 'w');
    let bytes: number;
    try {
      bytes = writeWhole(fd, text, 0);
      if (this.#fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.#base(stateId));
    this.#syncDir();
    return bytes;
  }

  /** Puts an empty log in place of the writer's (a rename, so a reader of the old one is unaffected). */
  #replaceLog(stateId: string, writer: Writer): void {
    const tmp = this.#log(stateId) + TMP;
    const fd = openSync(tmp, 'w');
    try {
      renameSync(tmp, this.#log(stateId));
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.#syncDir();
    if (writer.fd !== -1) closeSync(writer.fd);
    writer.fd = fd;
    writer.lines = 0;
    writer.logBytes = 0;
  }

  #syncDir(): void {
    if (!this.#fsync) return;
    const fd = openSync(this.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  #closeWriter(stateId: string): void {
    const writer = this.#writers.get(stateId);
    if (writer === undefined) return;
    this.#writers.delete(stateId);
    closeSync(writer.fd);
  }

  // ---- helpers --------------------------------------------------------------------------------

  #base(stateId: string): string {
    return join(this.dir, stateId + BASE);
  }

  #log(stateId: string): string {
    return join(this.dir, stateId + LOG);
  }

  #check(stateId: string, method: string): void {
    this.#checkOpen(method);
    checkStateId(stateId, `${OWNER}.${method}`);
  }

  #checkOpen(method: string): void {
    if (this.#closed) {
      throw new RhAgentsError(
        `${OWNER}.${method}: the backend is closed; create a new one for ${this.dir}.`,
      );
    }
  }
}

/** Newest `updatedAt` first; ties by state id, so the order is stable. */
function newestFirst(a: StateSummary, b: StateSummary): number {
  return b.updatedAt - a.updatedAt || (a.stateId < b.stateId ? -1 : a.stateId > b.stateId ? 1 : 0);
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

export type { FileSystemStateBackendOptions };
