/**
 * The worker's writer of replies: the records of every run it executes, batched per turn of the
 * event loop (one Redis round trip for all the jobs that published meanwhile, one stream entry
 * per coordinator state holding all its jobs' replies), appended to each coordinator state's
 * reply stream, which expires a while after its last write.
 */
import type { RemoteOutcome } from '../index.js';
import type { RedisClient } from './driver.js';
import type { WireRecord, WireReply } from './wire.js';

/** A reply stream holds at most about this many entries (a coordinator reads them as they come). */
const MAX_STREAM_LENGTH = 100_000;

/** How often a stream's expiry is pushed back, at most. */
const EXPIRE_REFRESH_MS = 60_000;

interface Entry {
  key: string;
  jobId: string;
  token: string;
  records: WireRecord[];
  outcome: RemoteOutcome | undefined;
}

export class ReplyWriter {
  #batch: Entry[] = [];
  /** The entry of each job in the batch still open for more records (no outcome yet). */
  #open = new Map<string, Entry>();
  #flush: Promise<void> | undefined;
  /** When each stream's expiry was last refreshed. */
  readonly #expired = new Map<string, number>();

  constructor(
    readonly client: RedisClient,
    /** How long a reply stream lives after its last write, in seconds. */
    readonly expireSeconds: number,
  ) {}

  /** Adds records (and, last, the outcome) of a job; resolves once they are written. */
  push(
    key: string,
    jobId: string,
    token: string,
    records: readonly WireRecord[],
    outcome?: RemoteOutcome,
  ): Promise<void> {
    const id = `${token}\u0000${jobId}`;
    let entry = this.#open.get(id);
    if (!entry) {
      entry = { key, jobId, token, records: [], outcome: undefined };
      this.#batch.push(entry);
      this.#open.set(id, entry);
    }
    for (const record of records) entry.records.push(record);
    if (outcome) {
      entry.outcome = outcome;
      this.#open.delete(id);
    }
    return (this.#flush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.#write(),
    ));
  }

  async #write(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    this.#open.clear();
    this.#flush = undefined;
    // One stream entry per stream: the replies of all its jobs in this turn, in order.
    const byKey = new Map<string, WireReply[]>();
    for (const { key, jobId, token, records, outcome } of batch) {
      const reply: WireReply = outcome ? [jobId, token, records, outcome] : [jobId, token, records];
      const replies = byKey.get(key);
      if (replies) replies.push(reply);
      else byKey.set(key, [reply]);
    }
    // A stream's expiry is refreshed now and then, not on every write.
    const now = Date.now();
    const expire: string[] = [];
    for (const key of byKey.keys()) {
      if (now - (this.#expired.get(key) ?? 0) < EXPIRE_REFRESH_MS) continue;
      if (this.#expired.size > 10_000) this.#expired.clear();
      this.#expired.set(key, now);
      expire.push(key);
    }
    if (byKey.size === 1 && expire.length === 0) {
      const [[key, replies]] = byKey as unknown as [[string, WireReply[]]];
      await this.client.xadd(...xaddArgs(key, replies));
      return;
    }
    const pipeline = this.client.pipeline();
    for (const [key, replies] of byKey) pipeline.xadd(...xaddArgs(key, replies));
    for (const key of expire) pipeline.expire(key, this.expireSeconds);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
  }
}

function xaddArgs(
  key: string,
  replies: WireReply[],
): [string, 'MAXLEN', '~', number, '*', 'b', string] {
  return [key, 'MAXLEN', '~', MAX_STREAM_LENGTH, '*', 'b', JSON.stringify(replies)];
}
