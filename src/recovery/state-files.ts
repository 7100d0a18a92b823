/**
 * The two files of a state in a `FileSystemStateBackend` directory, and how they are read:
 *
 * - `<id>.state.jsonl`, the base: line 1 a small header (format, version, id, the sequence
 *   number of the last entry folded in, status, pipeline, tags, timestamps), line 2 the snapshot
 *   with an empty `history`, then the history: one JSON array of records per line (the saved
 *   history, then the records of each entry folded in). Always replaced whole (temp file +
 *   rename), never edited in place. `list()` reads only the header; a fold copies the history
 *   lines as they are and adds the new ones, so it never parses the whole history again.
 * - `<id>.log.jsonl`, the append log: one `LogLine` per checkpoint entry, in sequence order.
 *   Entries whose sequence number is at most the base's are already in it and are skipped.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CorruptStateError, StateNotFoundError } from './errors.js';
import { type LogLine, decodeLogLine } from './log-line.js';
import {
  type StateSnapshot,
  type StateStatus,
  type StoredRecord,
  type StateSummary,
  STATE_FORMAT,
  STATE_FORMAT_VERSION,
  STATE_STATUSES,
  checkSnapshot,
  checkVersion,
} from './snapshot.js';

/** Line 1 of a base file. */
export interface BaseHeader extends StateSummary {
  format: typeof STATE_FORMAT;
  version: number;
  /** The sequence number of the last log entry folded into this base (0 for none). */
  seq: number;
}

/**
 * The text of a base file: the header for `snapshot` (folding entries up to `seq`), `metaJson`
 * (the snapshot with an empty history, as JSON) and `historyLines` (one JSON array of records per
 * line, each ending with a newline).
 */
export function encodeBase(
  snapshot: StateSnapshot,
  seq: number,
  metaJson: string,
  historyLines: string,
): string {
  const header: BaseHeader = {
    format: STATE_FORMAT,
    version: STATE_FORMAT_VERSION,
    stateId: snapshot.stateId,
    seq,
    status: snapshot.status,
    tags: snapshot.metadata.tags,
    createdAt: snapshot.createdAt,
    updatedAt: snapshot.updatedAt,
  };
  if (snapshot.metadata.pipeline !== undefined) header.pipeline = snapshot.metadata.pipeline;
  return `${JSON.stringify(header)}\n${metaJson}\n${historyLines}`;
}

const RESTORE_OR_DELETE = (stateId: string): string =>
  `Restore the file from a backup, or delete the state (backend.delete('${stateId}')); it cannot be loaded as it is.`;

/** Line 1 of a base file, checked. */
export function parseHeader(text: string, file: string, stateId: string): BaseHeader {
  let header: Partial<BaseHeader>;
  try {
    header = JSON.parse(text) as Partial<BaseHeader>;
  } catch (error) {
    throw corruptBase(
      file,
      stateId,
      `line 1 (the header) is not JSON: ${(error as Error).message}`,
      error,
    );
  }
  checkVersion(header, `State '${stateId}' (${file})`);
  const ok =
    typeof header === 'object' &&
    header !== null &&
    header.format === STATE_FORMAT &&
    Number.isInteger(header.seq) &&
    (header.seq as number) >= 0 &&
    STATE_STATUSES.includes(header.status as StateStatus) &&
    Array.isArray(header.tags) &&
    typeof header.createdAt === 'number' &&
    typeof header.updatedAt === 'number' &&
    (header.pipeline === undefined || typeof header.pipeline === 'string');
  if (!ok) throw corruptBase(file, stateId, 'line 1 is not a valid header');
  if (header.stateId !== stateId) {
    throw corruptBase(
      file,
      stateId,
      `it holds state ${JSON.stringify(header.stateId)}, not '${stateId}' (a renamed file?)`,
    );
  }
  return header as BaseHeader;
}

/**
 * A base file split into its header (checked), its snapshot line (parsed, with an empty
 * history) and its history lines as they are.
 */
export function splitBase(
  text: string,
  file: string,
  stateId: string,
): { header: BaseHeader; meta: StateSnapshot; historyLines: string; historyLine: number } {
  const end = text.indexOf('\n');
  if (end === -1) throw corruptBase(file, stateId, 'it has no complete header line');
  const header = parseHeader(text.slice(0, end), file, stateId);
  const metaEnd = text.indexOf('\n', end + 1);
  if (metaEnd === -1 || metaEnd === text.length - 1 || !text.endsWith('\n')) {
    throw corruptBase(
      file,
      stateId,
      'it is truncated (expected a header line, a snapshot line and history lines, each ending with a newline)',
    );
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text.slice(end + 1, metaEnd));
  } catch (error) {
    const problem = `line 2 (the snapshot) is not JSON: ${(error as Error).message}`;
    throw corruptBase(file, stateId, problem, error);
  }
  if (typeof meta !== 'object' || meta === null) {
    throw corruptBase(file, stateId, 'line 2 (the snapshot) is not an object');
  }
  return {
    header,
    meta: meta as StateSnapshot,
    historyLines: text.slice(metaEnd + 1),
    historyLine: 3,
  };
}

/** A whole base file, checked: its header and its snapshot with the whole history. */
export function parseBase(
  text: string,
  file: string,
  stateId: string,
): { header: BaseHeader; snapshot: StateSnapshot } {
  const { header, meta, historyLines, historyLine } = splitBase(text, file, stateId);
  const lines = historyLines.split('\n');
  if (Array.isArray(meta.history)) {
    for (let i = 0; i < lines.length - 1; i++) {
      let records: unknown;
      try {
        records = JSON.parse(lines[i] as string);
      } catch (error) {
        const problem = `line ${historyLine + i} (history) is not JSON: ${(error as Error).message}`;
        throw corruptBase(file, stateId, problem, error);
      }
      if (!Array.isArray(records)) {
        throw corruptBase(file, stateId, `line ${historyLine + i} (history) is not an array`);
      }
      for (const record of records) meta.history.push(record as StoredRecord);
    }
  }
  const snapshot = checkSnapshot(meta, `State '${stateId}' (${file})`);
  if (snapshot.stateId !== stateId) {
    throw corruptBase(
      file,
      stateId,
      `its snapshot is of state ${JSON.stringify(snapshot.stateId)}`,
    );
  }
  return { header, snapshot };
}

/**
 * The entries of a log after `baseSeq`, in order, with the length (in characters) of the good
 * text before any torn tail and the count of good lines. A torn last line (no newline, or a
 * checksum that fails on the very last line) is what a crash mid-write leaves: it is ignored.
 * Anything else that is wrong throws `CorruptStateError` naming the file, line and byte.
 */
export function parseLog(
  text: string,
  file: string,
  stateId: string,
  baseSeq: number,
): { entries: LogLine[]; validChars: number; lines: number } {
  const lines = text.split('\n');
  const complete = lines.length - 1;
  const entries: LogLine[] = [];
  let charOffset = 0;
  let good = 0;
  for (; good < complete; good++) {
    const line = lines[good] as string;
    const decoded = decodeLogLine(line);
    if ('problem' in decoded) {
      const last = good === complete - 1 && lines[complete] === '';
      if (decoded.problem === 'torn' && last) break;
      throw corruptLog(file, stateId, text, good, charOffset, decoded.detail);
    }
    if (decoded.seq > baseSeq) {
      const expected = baseSeq + entries.length + 1;
      if (decoded.seq !== expected) {
        const problem = `entry ${decoded.seq} follows entry ${expected - 1} (entries are missing)`;
        throw corruptLog(file, stateId, text, good, charOffset, problem);
      }
      entries.push(decoded);
    } else if (entries.length > 0) {
      const problem = `entry ${decoded.seq} comes after entry ${baseSeq + entries.length}`;
      throw corruptLog(file, stateId, text, good, charOffset, problem);
    }
    charOffset += line.length + 1;
  }
  return { entries, validChars: charOffset, lines: good };
}

/**
 * The last good line in `text` (the end of a log, starting at a line start): the last complete
 * line, or the one before it when the last is torn. `undefined` when neither is good.
 */
export function lastGoodLine(text: string): LogLine | undefined {
  let end = text.lastIndexOf('\n') + 1;
  for (let attempt = 0; attempt < 2 && end > 0; attempt++) {
    const start = text.lastIndexOf('\n', end - 2) + 1;
    const decoded = decodeLogLine(text.slice(start, end - 1));
    if (!('problem' in decoded)) return decoded;
    end = start;
  }
  return undefined;
}

/** Line 1 of a base file, read alone (a few kilobytes, however large the snapshot). */
export function readHeader(file: string, stateId: string, location: string): BaseHeader {
  const text = readPart(file, 'head');
  if (text === undefined) throw new StateNotFoundError(stateId, location);
  const end = text.indexOf('\n');
  if (end === -1) throw corruptBase(file, stateId, 'it has no complete header line');
  return parseHeader(text.slice(0, end), file, stateId);
}

/** The last good line of a log, read from its end; `undefined` when there is none. */
export function readLastLogLine(file: string): LogLine | undefined {
  const text = readPart(file, 'tail');
  return text === undefined ? undefined : lastGoodLine(text);
}

const CHUNK = 16 * 1024;

/**
 * The start of a file up to its first newline, or its end from a line start on, reading more
 * while that is not enough; `undefined` when the file does not exist.
 */
function readPart(file: string, part: 'head' | 'tail'): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    for (let length = Math.min(CHUNK, size); ; length = Math.min(length * 4, size)) {
      const buffer = Buffer.alloc(length);
      const position = part === 'head' ? 0 : size - length;
      const read = readSync(fd, buffer, 0, length, position);
      const bytes = buffer.subarray(0, read);
      if (part === 'head') {
        if (bytes.includes(10) || length === size) return bytes.toString('utf8');
      } else {
        // Keep whole lines only: the chunk may start inside one. Two complete lines after
        // that cut leave one good line even when the last is torn.
        const first = bytes.indexOf(10);
        const second = first === -1 ? -1 : bytes.indexOf(10, first + 1);
        const enough = second !== -1 && bytes.indexOf(10, second + 1) !== -1;
        if (length === size) return bytes.toString('utf8');
        if (enough) return bytes.subarray(first + 1).toString('utf8');
      }
    }
  } finally {
    closeSync(fd);
  }
}

function corruptBase(
  file: string,
  stateId: string,
  problem: string,
  cause?: unknown,
): CorruptStateError {
  return new CorruptStateError(
    `State '${stateId}' is corrupt: ${file}: ${problem}. ${RESTORE_OR_DELETE(stateId)}`,
    {
      location: file,
      cause,
    },
  );
}

function corruptLog(
  file: string,
  stateId: string,
  text: string,
  index: number,
  charOffset: number,
  problem: string,
): CorruptStateError {
  const line = index + 1;
  const offset = Buffer.byteLength(text.slice(0, charOffset));
  return new CorruptStateError(
    `State '${stateId}' is corrupt: ${file} line ${line} (byte ${offset}): ${problem}. ` +
      `The entries before that line are intact: restore the file from a backup, or cut it at line ${line} ` +
      `to keep them (the later ones are lost), or delete the state (backend.delete('${stateId}')).`,
    { location: file, line, offset },
  );
}
