/**
 * `startWorker`: a worker process's side. It takes the queue's jobs, runs each through the same run
 * machinery as a local run (`executeRemoteRun`: validation, retries, limiter, events) on a worker-side
 * state with the coordinator's state id (shared by that state's concurrent jobs here: see
 * worker-states.ts), at the coordinator's address and group tags, and writes the records and the
 * outcome back to the coordinator. It never checkpoints: the coordinator is the only writer.
 */
import type { Job, Worker } from 'bullmq';
import { type AnyActor, type RemoteOutcome, executeRemoteRun } from '../index.js';
import { type RedisClient, bullmq } from './driver.js';
import { UnknownActorError } from './errors.js';
import {
  type ResolvedWorkerOptions,
  type StartWorkerOptions,
  actorKey,
  defaultBullMQOptions,
  resolveWorkerOptions,
} from './options.js';
import { connectRedis } from './redis.js';
import { errorOf } from '../recovery/records.js';
import { ReplyWriter } from './reply-writer.js';
import { WorkerStates } from './worker-states.js';
import { type JobData, cancelChannel, outcomeOf, parseJobData, recordToWire } from './wire.js';

/** A started worker. */
export interface RemoteWorker {
  readonly queueName: string;
  /** BullMQ's `Worker`, for its events and metrics. */
  readonly worker: Worker;
  /** Stops taking jobs, waits for the running ones to finish, and closes the connections. */
  close(): Promise<void>;
}

/** How long a cancellation that arrived before its job started is remembered, in milliseconds. */
const EARLY_CANCEL_MS = 60_000;

/**
 * Starts a worker on `queueName`; resolves once it is connected and taking jobs, or rejects with a
 * `RedisConnectionError` naming the server within `connectTimeoutMs`.
 */
export async function startWorker(options: StartWorkerOptions): Promise<RemoteWorker> {
  const resolved = resolveWorkerOptions(options);
  const { connection, connectTimeoutMs, queueName, prefix } = resolved;
  const what = `startWorker (queue '${queueName}')`;
  const writerClient = await connectRedis(connection, connectTimeoutMs, what);
  let subscriber: RedisClient;
  try {
    subscriber = await connectRedis(connection, connectTimeoutMs, what);
  } catch (error) {
    writerClient.disconnect();
    throw error;
  }
  const runs = new Runs();
  const states = new WorkerStates();
  subscriber.on('message', (_channel: string, message: string) => runs.cancel(message));
  await subscriber.subscribe(cancelChannel(prefix, queueName));
  const writer = new ReplyWriter(writerClient, defaultBullMQOptions.keepJobsSeconds);
  const worker = new bullmq.Worker(
    queueName,
    // Two parameters: BullMQ makes no AbortController per job; the coordinator cancels through `runs`.
    (job: Job) => processJob(resolved, writer, runs, states, job),
    {
      ...resolved.workerOptions,
      connection: { ...connection },
      prefix,
      concurrency: resolved.concurrency,
    },
  );
  worker.on('error', () => {}); // ioredis reconnects; BullMQ retries what it must
  await worker.waitUntilReady();
  let closing: Promise<void> | undefined;
  return {
    queueName,
    worker,
    close: () =>
      (closing ??= (async () => {
        await worker.close();
        subscriber.disconnect();
        writerClient.disconnect();
      })()),
  };
}

/** The runs executing on this worker, by job, and the cancellations that came before their job. */
class Runs {
  readonly #running = new Map<string, Running>();
  readonly #early = new Map<string, number>();

  start(jobId: string, token: string): Running {
    const running: Running = { token, abort: undefined };
    this.#running.set(jobId, running);
    if (this.#early.size > 0 && this.#early.delete(`${token}\u0000${jobId}`))
      running.cancelled = true;
    return running;
  }

  end(jobId: string): void {
    this.#running.delete(jobId);
  }

  /** A coordinator's cancellation (`{ j, t }`): aborts that run, or remembers it for a while. */
  cancel(message: string): void {
    let parsed: { j?: unknown; t?: unknown };
    try {
      parsed = JSON.parse(message) as { j?: unknown; t?: unknown };
    } catch {
      return;
    }
    const { j: jobId, t: token } = parsed;
    if (typeof jobId !== 'string' || typeof token !== 'string') return;
    const run = this.#running.get(jobId);
    if (run?.token === token) {
      run.cancelled = true;
      return run.abort?.(CANCEL_REASON);
    }
    const now = Date.now();
    for (const [key, at] of this.#early) if (now - at > EARLY_CANCEL_MS) this.#early.delete(key);
    this.#early.set(`${token}\u0000${jobId}`, now);
  }
}

/** A run executing: its sending's token, and the function that cancels it once it started. */
interface Running {
  readonly token: string;
  abort: ((reason: unknown) => void) | undefined;
  cancelled?: boolean;
}

const CANCEL_REASON =
  'Cancelled by the coordinator (its group was cancelled, failed fast or timed out).';

async function processJob(
  options: ResolvedWorkerOptions,
  writer: ReplyWriter,
  runs: Runs,
  states: WorkerStates,
  job: Job,
): Promise<RemoteOutcome> {
  const jobId = job.id as string;
  const data: JobData = parseJobData(job.data, jobId);
  const { run, replyTo, token } = data;
  const running = runs.start(jobId, token);
  try {
    const actor = options.actors.get(actorKey(run.actor.eventType, run.actor.name));
    let outcome: RemoteOutcome;
    if (!actor) outcome = unknownActor(options, run.actor, run.address);
    else {
      const shared = states.acquire(run.stateId);
      const close = shared.open(run.address, (record) => {
        void writer.push(replyTo, jobId, token, [recordToWire(record, run)]).catch(() => {});
      });
      try {
        const result = await executeRemoteRun(shared.state, actor as AnyActor, run, {
          cancel: (abort) => {
            running.abort = abort;
            if (running.cancelled) abort(CANCEL_REASON);
          },
        });
        outcome = outcomeOf(result, run.address);
      } finally {
        close();
        states.release(shared);
      }
    }
    // Written before the job completes: a worker killed after this line lets the job run again,
    // and the coordinator keeps the first outcome it reads.
    await writer.push(replyTo, jobId, token, [], outcome);
    return outcome;
  } finally {
    runs.end(jobId);
  }
}

function unknownActor(
  options: ResolvedWorkerOptions,
  actor: { name: string; eventType: string },
  address: string,
): RemoteOutcome {
  const known = [...options.actors.values()].map((a) => `${a.eventType} '${a.name}'`).join(', ');
  const error = new UnknownActorError(
    `The worker of BullMQ queue '${options.queueName}' does not know the ${actor.eventType} actor '${actor.name}' (run at ${address}); it knows ${known}. Pass it to startWorker({ actors: [...] }) on every worker of queue '${options.queueName}'.`,
  );
  return { ok: false, error: errorOf(error) };
}
