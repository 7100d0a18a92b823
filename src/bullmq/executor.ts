/**
 * `BullMQExecutor`: the coordinator's side. Each run a group hands it becomes a BullMQ job whose
 * id derives from the state id and the run's address; the worker's records and outcome come back
 * on the state's reply stream. A job that already exists (a resumed coordinator) is collected, or
 * waited for, instead of being sent again; one that ended badly is sent again.
 */
import { randomBytes } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import type { ExecutionRecord, RemoteExecutor, RemoteOutcome, RemoteRun } from '../index.js';
import { messageOf } from '../util/describe.js';
import { type RedisClient, bullmq } from './driver.js';
import { jobIdOf } from './job-ids.js';
import { JobSender } from './job-sender.js';
import {
  type BullMQExecutorOptions,
  type ResolvedExecutorOptions,
  resolveExecutorOptions,
} from './options.js';
import { connectRedis } from './redis.js';
import { ReplyReader } from './reply-reader.js';
import {
  type JobData,
  type ReplyEntry,
  WIRE_VERSION,
  cancelChannel,
  recordFromWire,
  replyStreamKey,
} from './wire.js';

/** A run sent and not settled yet. */
interface Pending {
  readonly jobId: string;
  readonly stream: string;
  /** The run sent: its records come back compact, rebuilt from it. */
  readonly run: RemoteRun;
  /** The token of the job's sending whose replies count (an adopted job's own). */
  token: string;
  readonly onRecord: (record: ExecutionRecord) => void;
  readonly resolve: (outcome: RemoteOutcome) => void;
  readonly reject: (error: unknown) => void;
  /** Its signal aborted: rejects it and withdraws its job. */
  readonly abort: () => void;
  readonly since: number;
  /** Whether the job is in the queue (added or adopted). */
  sent: boolean;
  settled: boolean;
}

interface Connected {
  queue: Queue;
  sender: JobSender;
  command: RedisClient;
  blocking: RedisClient;
  reader: ReplyReader;
}

export class BullMQExecutor implements RemoteExecutor {
  readonly queueName: string;
  readonly #options: ResolvedExecutorOptions;
  readonly #id = randomBytes(6).toString('hex');
  #sequence = 0;
  #connected: Promise<Connected> | undefined;
  #closed = false;
  readonly #pending = new Map<string, Pending>();
  /** Job ids sent by this executor: sending one again checks the queue first. */
  readonly #sent = new Set<string>();
  /** Per state id: whether its reply stream existed when first seen (a resumed coordinator). */
  readonly #knownStates = new Map<string, Promise<boolean>>();
  #checkTimer: NodeJS.Timeout | undefined;
  /**
   * The runs out per signal (a group's): one listener per signal aborts them all, instead of one
   * listener per run added to and removed from the same signal.
   */
  readonly #bySignal = new WeakMap<AbortSignal, Set<Pending>>();

  constructor(options: BullMQExecutorOptions) {
    this.#options = resolveExecutorOptions(options);
    this.queueName = this.#options.queueName;
  }

  async execute(
    run: RemoteRun,
    options: { readonly signal: AbortSignal; readonly onRecord: (record: ExecutionRecord) => void },
  ): Promise<RemoteOutcome> {
    const { signal, onRecord } = options;
    if (this.#closed) throw new Error(`BullMQExecutor (queue '${this.queueName}') is closed.`);
    signal.throwIfAborted();
    const connected = await this.#connect();
    signal.throwIfAborted();
    const { prefix } = this.#options;
    const jobId = jobIdOf(run.stateId, run.address);
    const stream = replyStreamKey(prefix, this.queueName, run.stateId);
    return new Promise<RemoteOutcome>((resolve, reject) => {
      const aborts = this.#abortsOf(signal);
      const pending: Pending = {
        jobId,
        stream,
        run,
        token: `${this.#id}.${++this.#sequence}`,
        onRecord,
        resolve: (outcome) => {
          aborts.delete(pending);
          resolve(outcome);
        },
        reject: (error) => {
          aborts.delete(pending);
          reject(error);
        },
        abort: () => {
          this.#settle(pending, () => pending.reject(signal.reason));
          void this.#withdraw(connected, pending).catch(() => {});
        },
        since: Date.now(),
        sent: false,
        settled: false,
      };
      const previous = this.#pending.get(jobId);
      if (previous) {
        this.#settle(previous, () =>
          previous.reject(new Error(`The run at ${run.address} was sent again.`)),
        );
      }
      this.#pending.set(jobId, pending);
      connected.reader.watch(stream);
      aborts.add(pending);
      this.#scheduleChecks();
      this.#send(connected, pending, run).catch((error: unknown) =>
        this.#settle(pending, () =>
          pending.reject(
            new Error(
              `Could not send the run at ${run.address} to BullMQ queue '${this.queueName}': ${messageOf(error)}`,
              { cause: error },
            ),
          ),
        ),
      );
    });
  }

  /** The runs out on `signal`, aborted together when it aborts. */
  #abortsOf(signal: AbortSignal): Set<Pending> {
    let aborts = this.#bySignal.get(signal);
    if (!aborts) {
      const runs = new Set<Pending>();
      aborts = runs;
      this.#bySignal.set(signal, runs);
      signal.addEventListener(
        'abort',
        () => {
          for (const pending of [...runs]) pending.abort();
          runs.clear();
        },
        { once: true },
      );
    }
    return aborts;
  }

  /**
   * Connects to Redis now (the first run does otherwise): resolves when the queue is ready, or
   * rejects with a `RedisConnectionError` naming the server within `connectTimeoutMs`.
   */
  async ready(): Promise<void> {
    await this.#connect();
  }

  /** Closes the executor's connections. Runs still out are rejected; their jobs stay in the queue. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#checkTimer);
    for (const pending of [...this.#pending.values()]) {
      this.#settle(pending, () =>
        pending.reject(new Error(`BullMQExecutor (queue '${this.queueName}') was closed.`)),
      );
    }
    const connected = await this.#connected?.catch(() => undefined);
    if (!connected) return;
    connected.reader.close();
    await connected.queue.close();
    connected.command.disconnect();
    connected.blocking.disconnect();
  }

  #connect(): Promise<Connected> {
    this.#connected ??= (async () => {
      const { connection, connectTimeoutMs, prefix } = this.#options;
      const what = `BullMQExecutor (queue '${this.queueName}')`;
      const command = await connectRedis(connection, connectTimeoutMs, what);
      let blocking: RedisClient;
      try {
        blocking = await connectRedis(connection, connectTimeoutMs, what);
      } catch (error) {
        command.disconnect();
        throw error;
      }
      const queue = new bullmq.Queue(this.queueName, { connection: { ...connection }, prefix });
      queue.on('error', () => {}); // ioredis reconnects; runs in flight wait for it
      const reader = new ReplyReader(
        command,
        blocking,
        (entry) => this.#receive(entry),
        (error) => {
          for (const pending of [...this.#pending.values()]) {
            this.#settle(pending, () => pending.reject(error));
          }
        },
      );
      await queue.waitUntilReady();
      return { queue, sender: new JobSender(queue), command, blocking, reader };
    })();
    // A failed connection is tried again by the next run.
    this.#connected.catch(() => (this.#connected = undefined));
    return this.#connected;
  }

  async #send(connected: Connected, pending: Pending, run: RemoteRun): Promise<void> {
    const { queue } = connected;
    const { jobId } = pending;
    if (this.#sent.has(jobId) || (await this.#stateKnown(connected, run.stateId, pending.stream))) {
      const existing = (await queue.getJob(jobId)) as Job<JobData> | undefined;
      if (pending.settled) return;
      if (existing) {
        const finished = existing.finishedOn !== undefined && existing.finishedOn !== null;
        const outcome = existing.returnvalue as RemoteOutcome | null | undefined;
        if (finished && !existing.failedReason && outcome?.ok === true) {
          // Ran to completion before (a coordinator that died before collecting it): collect it.
          this.#settle(pending, () => pending.resolve(outcome));
          return;
        }
        if (!finished) {
          // Waiting or running (sent by a coordinator that died): wait for its replies.
          pending.token = existing.data.token;
          pending.sent = true;
          return;
        }
        await existing.remove(); // ended badly: it runs again, as a failed run does on replay
      }
    }
    this.#sent.add(jobId);
    const data: JobData = { v: WIRE_VERSION, run, replyTo: pending.stream, token: pending.token };
    const keep = { age: this.#options.keepJobsSeconds };
    await connected.sender.add(run.actor.name, data, {
      jobId,
      attempts: 1,
      removeOnComplete: keep,
      removeOnFail: keep,
    });
    pending.sent = true;
    if (pending.settled) await this.#withdraw(connected, pending); // aborted while sending
  }

  /** Whether the reply stream of `stateId` existed before this executor used it. */
  #stateKnown(connected: Connected, stateId: string, stream: string): Promise<boolean> {
    let known = this.#knownStates.get(stateId);
    if (!known) {
      known = connected.command.exists(stream).then((n) => n > 0);
      this.#knownStates.set(stateId, known);
    }
    return known;
  }

  /** A run aborted: its job is removed if it still waits, else its worker is told to abort it. */
  async #withdraw(connected: Connected, pending: Pending): Promise<void> {
    if (!pending.sent) return;
    const removed = await connected.queue.remove(pending.jobId).catch(() => 0);
    if (removed === 1) return;
    await connected.command.publish(
      cancelChannel(this.#options.prefix, this.queueName),
      JSON.stringify({ j: pending.jobId, t: pending.token }),
    );
  }

  #receive(entry: ReplyEntry): void {
    const pending = this.#pending.get(entry.jobId);
    if (!pending || pending.settled || pending.token !== entry.token) return;
    for (const record of entry.records) pending.onRecord(recordFromWire(record, pending.run));
    const outcome = entry.outcome;
    if (outcome) this.#settle(pending, () => pending.resolve(outcome));
  }

  #settle(pending: Pending, finish: () => void): void {
    if (pending.settled) return;
    pending.settled = true;
    if (this.#pending.get(pending.jobId) === pending) this.#pending.delete(pending.jobId);
    void this.#connected?.then((c) => c.reader.unwatch(pending.stream)).catch(() => {});
    finish();
  }

  /** While runs are out: looks now and then at the jobs waited on for long. */
  #scheduleChecks(): void {
    if (this.#checkTimer) return;
    this.#checkTimer = setInterval(() => {
      if (this.#pending.size === 0) {
        clearInterval(this.#checkTimer);
        this.#checkTimer = undefined;
        return;
      }
      void this.#check().catch(() => {});
    }, this.#options.checkIntervalMs);
    this.#checkTimer.unref();
  }

  /**
   * A job that BullMQ failed (it stalled more often than `maxStalledCount`) or that vanished fails
   * its run; one that completed long ago without its reply being read is collected.
   */
  async #check(): Promise<void> {
    const connected = await this.#connected;
    if (!connected) return;
    const interval = this.#options.checkIntervalMs;
    const now = Date.now();
    const old = [...this.#pending.values()].filter((p) => p.sent && now - p.since > interval);
    await Promise.all(
      old.map(async (pending) => {
        const job = (await connected.queue.getJob(pending.jobId)) as Job<JobData> | undefined;
        if (pending.settled) return;
        if (!job) {
          const error = new Error(
            `The job of this run (${pending.jobId}) was removed from BullMQ queue '${this.queueName}' before it finished.`,
          );
          this.#settle(pending, () => pending.reject(error));
          return;
        }
        if (job.finishedOn === undefined || job.finishedOn === null) return;
        if (job.failedReason) {
          const error = new Error(`BullMQ failed the job of this run: ${job.failedReason}`);
          this.#settle(pending, () => pending.reject(error));
        } else if (now - job.finishedOn > interval && job.returnvalue) {
          this.#settle(pending, () => pending.resolve(job.returnvalue as RemoteOutcome));
        }
      }),
    );
  }
}
