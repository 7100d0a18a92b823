/**
 * The coordinator's reader of reply streams: one blocking `XREAD` over the streams of the states
 * that have runs out, handing each entry on in stream order. A stream is read from its start the
 * first time (a resumed coordinator sees what workers wrote while it was down); entries of jobs
 * nobody waits for any more are skipped by the caller.
 */
import type { RedisClient } from './driver.js';
import type { ReplyEntry, WireReply } from './wire.js';

const BLOCK_MS = 1000;
const COUNT = 1000;

type XReadReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

export class ReplyReader {
  /** Streams read, with the id of the last entry read and how many runs wait on them. */
  readonly #streams = new Map<string, { lastId: string; users: number }>();
  #running = false;
  #closed = false;
  #blockingId: number | undefined;

  constructor(
    readonly command: RedisClient,
    readonly blocking: RedisClient,
    readonly onEntry: (entry: ReplyEntry) => void,
    readonly onError: (error: unknown) => void,
  ) {}

  /** Starts reading `key` (if it was not read yet) for one more run. */
  watch(key: string): void {
    const stream = this.#streams.get(key);
    if (stream) stream.users++;
    else this.#streams.set(key, { lastId: '0', users: 1 });
    if (!this.#running) void this.#loop();
    else if (!stream || stream.users === 1) this.#wake();
  }

  /** One run fewer waits on `key`; the stream is no longer read when none does. */
  unwatch(key: string): void {
    const stream = this.#streams.get(key);
    if (stream) stream.users--;
  }

  close(): void {
    this.#closed = true;
    this.#wake();
  }

  /** Interrupts a blocked `XREAD` so that the next one reads a new stream at once. */
  #wake(): void {
    if (this.#blockingId === undefined) return;
    void this.command.client('UNBLOCK', this.#blockingId).catch(() => {});
  }

  async #loop(): Promise<void> {
    this.#running = true;
    try {
      this.#blockingId ??= (await this.blocking.client('ID')) as number;
      for (;;) {
        const active = [...this.#streams].filter(([, s]) => s.users > 0);
        if (this.#closed || active.length === 0) break;
        const reply = (await this.blocking.xread(
          'COUNT',
          COUNT,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          ...active.map(([key]) => key),
          ...active.map(([, s]) => s.lastId),
        )) as XReadReply;
        if (reply === null) continue;
        for (const [key, entries] of reply) {
          const stream = this.#streams.get(key);
          for (const [id, fields] of entries) {
            if (stream) stream.lastId = id;
            for (const entry of parseEntry(fields)) this.onEntry(entry);
          }
        }
      }
    } catch (error) {
      if (!this.#closed) this.onError(error);
    } finally {
      this.#running = false;
    }
    // A stream watched while the loop was ending.
    if (!this.#closed && [...this.#streams.values()].some((s) => s.users > 0)) void this.#loop();
  }
}

/** The replies a stream entry holds (field `b`); none for an entry of another format. */
function parseEntry(fields: string[]): ReplyEntry[] {
  let text: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'b') text = fields[i + 1];
  if (text === undefined) return [];
  let replies: unknown;
  try {
    replies = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(replies)) return [];
  const entries: ReplyEntry[] = [];
  for (const reply of replies as WireReply[]) {
    if (!Array.isArray(reply)) continue;
    const [jobId, token, records, outcome] = reply;
    if (typeof jobId !== 'string' || typeof token !== 'string' || !Array.isArray(records)) continue;
    entries.push({ jobId, token, records, outcome });
  }
  return entries;
}
