/**
 * Redis for the BullMQ tests: the real server at 127.0.0.1:6379. Every test uses a queue of its
 * own and removes its keys. Without a server the tests are skipped, saying how to start it.
 * Worker processes are real children (`node --import tsx fixtures/worker.ts`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';

export const connection = { host: '127.0.0.1', port: 6379 };

async function findRedis(): Promise<boolean> {
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

export const hasRedis = await findRedis();
export const SKIP_MESSAGE =
  'BullMQ tests skipped: no Redis answered at 127.0.0.1:6379. Start it with `redis-server --daemonize yes` (or `.ci/run`), then run `npx vitest run test/bullmq`.';
if (!hasRedis) console.warn(SKIP_MESSAGE);

/** A queue name of the test's own. */
export function uniqueQueue(label: string): string {
  return `rh-test-${label}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** A client for looking at what the handlers left in Redis. */
export function testRedis(): Redis {
  const client = new Redis(connection);
  client.on('error', () => {});
  return client;
}

/** Deletes every key of the queue (BullMQ's, the replies, the handlers' traces). */
export async function cleanQueue(redis: Redis, queueName: string): Promise<void> {
  for (const pattern of [`bull:${queueName}:*`, `rh-test:${queueName}:*`]) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) await redis.del(...found);
    } while (cursor !== '0');
  }
}

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const workerScript = resolve('test/bullmq/fixtures/worker.ts');

/** Starts a worker process on `queueName`; resolves once it takes jobs. */
export async function startWorkerProcess(
  queueName: string,
  name: string,
  concurrency = 1,
  workerOptions: Record<string, unknown> = {},
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      workerScript,
      queueName,
      name,
      String(concurrency),
      JSON.stringify(workerOptions),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  await new Promise<void>((ready, fail) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n')) ready();
    });
    void exited.then((code) => fail(new Error(`worker ${name} exited with ${code}: ${err}`)));
  });
  return {
    name,
    child,
    exited,
    stderr: () => err,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Resolves once `condition` holds; fails after `ms`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  ms = 30_000,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
