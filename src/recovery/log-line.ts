/**
 * One line of a state's append log: a JSON object holding the entry's sequence number, the
 * state's status after it, the entry, and a CRC-32 of everything before the checksum, so a line
 * torn by a crash (or garbage left by a power loss) is told apart from a good one.
 *
 *   {"seq":12,"status":"running","entry":{…},"crc":"0a1b2c3d"}\n
 */
import * as zlib from 'node:zlib';
import {
  type CheckpointEntry,
  type StateStatus,
  STATE_STATUSES,
  entryProblem,
} from './snapshot.js';

/** A decoded log line. */
export interface LogLine {
  seq: number;
  /** The state's status once this entry is applied. */
  status: StateStatus;
  entry: CheckpointEntry;
}

/** `,"crc":"xxxxxxxx"}`: the fixed-length end of every line (without its newline). */
const CRC_SUFFIX = /,"crc":"([0-9a-f]{8})"\}$/;
const CRC_SUFFIX_LENGTH = 18;

/** The line (with its newline) for entry `seq`, whose JSON text is `entryJson`. */
export function encodeLogLine(seq: number, status: StateStatus, entryJson: string): string {
  const body = `{"seq":${seq},"status":"${status}","entry":${entryJson}`;
  return `${body},"crc":"${hex8(crc32(body))}"}\n`;
}

/**
 * The line `text` (without its newline) decoded, or why it is not a good line: `torn` when its
 * checksum fails or it is not JSON (what a crash mid-write leaves), `invalid` when it checks out
 * but does not hold a valid entry (a bug or a hand edit, never a crash).
 */
export function decodeLogLine(
  text: string,
): LogLine | { problem: 'torn' | 'invalid'; detail: string } {
  const match = CRC_SUFFIX.exec(text);
  if (match === null) return { problem: 'torn', detail: 'the line has no checksum at its end' };
  const body = text.slice(0, text.length - CRC_SUFFIX_LENGTH);
  if (hex8(crc32(body)) !== match[1]) {
    return { problem: 'torn', detail: 'the checksum does not match the line' };
  }
  let parsed: { seq?: unknown; status?: unknown; entry?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (error) {
    return { problem: 'invalid', detail: `not JSON (${(error as Error).message})` };
  }
  if (!Number.isInteger(parsed.seq) || (parsed.seq as number) < 1) {
    return { problem: 'invalid', detail: '`seq` must be a whole number from 1 up' };
  }
  if (!STATE_STATUSES.includes(parsed.status as StateStatus)) {
    return { problem: 'invalid', detail: '`status` is not a state status' };
  }
  const problem = entryProblem(parsed.entry);
  if (problem !== undefined) return { problem: 'invalid', detail: `entry: ${problem}` };
  return {
    seq: parsed.seq as number,
    status: parsed.status as StateStatus,
    entry: parsed.entry as CheckpointEntry,
  };
}

const hex8 = (value: number): string => value.toString(16).padStart(8, '0');

/** CRC-32 (IEEE, as zlib and gzip compute it) of `text` in UTF-8. */
export function crc32(text: string): number {
  return nativeCrc32 === undefined ? crc32Js(Buffer.from(text, 'utf8')) : nativeCrc32(text);
}

/** `zlib.crc32` (Node 20.15 and later); the fallback below serves older Node 20 releases. */
const nativeCrc32 = (zlib as { crc32?: (data: string) => number }).crc32;

let table: Uint32Array | undefined;

/** CRC-32 computed in JavaScript, for a Node without `zlib.crc32`. */
export function crc32Js(bytes: Uint8Array): number {
  table ??= makeTable();
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = (table[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}
