/**
 * The worker's writer of replies: the records of every run it executes, batched per turn of the
 * event loop (one Redis round trip for all the jobs that published meanwhile), appended to each
 * coordinator state's reply stream, which expires a while after its last write.
 */
import type { RemoteOutcome } from '../index.js';
import type { RedisClient } from './driver.js';

/** A reply stream holds at most about this many entries (a coordinator reads them as they come). */
const MAX_STREAM_LENGTH = 100_000;

/** How often a stream's expiry is pushed back, at most. */
const EXPIRE_REFRESH_MS = 60_000;

interface Entry {
  key: string;
  jobId: string;
  token: string;
  records: unknown[];
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
    records: readonly unknown[],
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
    // A stream's expiry is refreshed now and then, not on every write.
    const now = Date.now();
    const expire: string[] = [];
    for (const { key } of batch) {
      if (now - (this.#expired.get(key) ?? 0) < EXPIRE_REFRESH_MS) continue;
      if (this.#expired.size > 10_000) this.#expired.clear();
      this.#expired.set(key, now);
      expire.push(key);
    }
    if (batch.length === 1 && expire.length === 0) {
      await this.client.xadd(...xaddArgs(batch[0] as Entry));
      return;
    }
    const pipeline = this.client.pipeline();
    for (const entry of batch) pipeline.xadd(...xaddArgs(entry));
    for (const key of expire) pipeline.expire(key, this.expireSeconds);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
  }
}

function xaddArgs(entry: Entry): [string, 'MAXLEN', '~', number, '*', ...string[]] {
  const fields = ['j', entry.jobId, 't', entry.token, 'r', JSON.stringify(entry.records)];
  if (entry.outcome) fields.push('o', JSON.stringify(entry.outcome));
  return [entry.key, 'MAXLEN', '~', MAX_STREAM_LENGTH, '*', ...fields];
}
