/**
 * Adds jobs to a queue in batches: the jobs of one turn of the event loop go in one `addBulk`
 * (one Redis round trip), so a group starting hundreds of runs at once does not pay one round
 * trip per run.
 */
import type { JobsOptions, Queue } from 'bullmq';

interface Waiting {
  name: string;
  data: unknown;
  opts: JobsOptions;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class JobSender {
  #batch: Waiting[] = [];
  #scheduled = false;

  constructor(readonly queue: Queue) {}

  /** Adds one job; resolves once it is in the queue. */
  add(name: string, data: unknown, opts: JobsOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#batch.push({ name, data, opts, resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => void this.#send());
    });
  }

  async #send(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    this.#scheduled = false;
    try {
      await this.queue.addBulk(batch.map(({ name, data, opts }) => ({ name, data, opts })));
      for (const job of batch) job.resolve();
    } catch (error) {
      for (const job of batch) job.reject(error);
    }
  }
}
