/**
 * Section 8 of `npm run bench`: runs on worker processes through BullMQ. 5 000 tiny remote tasks
 * over 2 worker processes (concurrency 50 each), through rh-agents (a group with a
 * `BullMQExecutor`: each task a job, its records and result back on the coordinator's bus) and
 * through raw BullMQ (`Queue.addBulk` of the same jobs, a `Worker` returning the same value,
 * results counted from `QueueEvents`). Needs Redis at 127.0.0.1:6379; skipped without it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { BullMQExecutor } from '../src/bullmq/index.js';
import { ExecutionEvent, ExecutionState } from '../src/index.js';
import { tiny } from './distributed-actors.js';
import { fixed, median, table } from './measure.js';

const TASKS = 5000;
const WORKERS = 2;
const CONCURRENCY = 50;
/** The group's `maxWorkers`: jobs in flight, enough to keep both workers fed. */
const MAX_WORKERS = 400;
const RUNS = 3;
const connection = { host: '127.0.0.1', port: 6379 };

async function redisAnswers(): Promise<boolean> {
  const client = new Redis({ ...connection, lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const workerScript = fileURLToPath(new URL('./distributed-worker.ts', import.meta.url));

async function startWorkers(mode: 'rh' | 'raw', queueName: string): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: WORKERS }, async () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', workerScript, mode, queueName, String(CONCURRENCY)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((ready, fail) => {
        let out = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('ready\n')) ready();
        });
        child.on('exit', (code) => fail(new Error(`bench worker exited with ${code}`)));
      });
      return child;
    }),
  );
}

async function stop(children: ChildProcess[], queueName: string, redis: Redis): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
    ),
  );
  // Until a whole scan finds nothing: a closing worker may still write a key.
  for (let deleted = 1; deleted > 0;) {
    deleted = 0;
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `bull:${queueName}:*`, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) deleted += await redis.del(...found);
    } while (cursor !== '0');
  }
}

/** Milliseconds for the 5 000 tasks through rh-agents, workers already running. */
async function rhAgentsRun(queueName: string): Promise<number> {
  const executor = new BullMQExecutor({ connection, queueName });
  await executor.ready(); // connected before the clock starts, as the raw queue is
  const state = new ExecutionState();
  const start = performance.now();
  const results = await state.parallel({ maxWorkers: MAX_WORKERS, executor }, (p) => {
    for (let i = 0; i < TASKS; i++)
      p.add(new ExecutionEvent({ actor: tiny }).run({ i }, '', state));
  });
  const ms = performance.now() - start;
  await executor.close();
  if (results.some((r) => !r.ok))
    throw new Error(`rh-agents: ${results.find((r) => !r.ok)?.errorMessage}`);
  return ms;
}

/** Milliseconds for the same jobs through raw BullMQ. */
async function rawRun(queueName: string): Promise<number> {
  const queue = new Queue(queueName, { connection });
  const events = new QueueEvents(queueName, { connection });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  let completed = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  events.on('completed', () => {
    if (++completed === TASKS) done();
  });
  const start = performance.now();
  await queue.addBulk(Array.from({ length: TASKS }, (_, i) => ({ name: 'Tiny', data: { i } })));
  await all;
  const ms = performance.now() - start;
  await events.close();
  await queue.close();
  return ms;
}

export async function distributedBench(): Promise<{ text: string; ratio: number | undefined }> {
  if (!(await redisAnswers())) {
    return {
      text: '   skipped: no Redis answered at 127.0.0.1:6379 (start it with `redis-server --daemonize yes`, then run `npm run bench`).',
      ratio: undefined,
    };
  }
  const redis = new Redis(connection);
  const times = { rh: [] as number[], raw: [] as number[] };
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const mode of ['raw', 'rh'] as const) {
        const queueName = `rh-bench-${mode}-${randomBytes(3).toString('hex')}`;
        const workers = await startWorkers(mode, queueName);
        try {
          times[mode].push(await (mode === 'rh' ? rhAgentsRun(queueName) : rawRun(queueName)));
        } finally {
          await stop(workers, queueName, redis);
        }
      }
    }
  } finally {
    redis.disconnect();
  }
  const rate = (ms: number): number => (TASKS / ms) * 1000;
  const raw = median(times.raw);
  const rh = median(times.rh);
  const ratio = raw / rh;
  const text = table(
    ['', 'median ms', 'best ms', 'tasks/s (median)', 'vs raw'],
    [
      [
        `raw BullMQ (addBulk + Worker, QueueEvents)`,
        fixed(raw),
        fixed(Math.min(...times.raw)),
        fixed(rate(raw)),
        '1.00x',
      ],
      [
        `rh-agents (BullMQExecutor, maxWorkers ${MAX_WORKERS})`,
        fixed(rh),
        fixed(Math.min(...times.rh)),
        fixed(rate(rh)),
        `${fixed(ratio, 2)}x`,
      ],
    ],
  );
  return { text, ratio };
}
