/**
 * A coordinator killed with SIGKILL mid-group, then a fresh one resuming its state from
 * PostgreSQL: completed runs are replayed, jobs that were in flight are collected by their id,
 * and no task's handler runs twice.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SKIP_MESSAGE as PG_SKIP,
  adminPool,
  dropSchema,
  hasPostgres,
  uniqueSchema,
  url,
} from '../postgres/helpers.js';
import { keys } from './fixtures/actors.js';
import {
  SKIP_MESSAGE,
  type WorkerProcess,
  cleanQueue,
  hasRedis,
  startWorkerProcess,
  testRedis,
  uniqueQueue,
  waitUntil,
} from './helpers.js';

const script = resolve('test/bullmq/fixtures/coordinator.ts');

function coordinator(
  queueName: string,
  stateId: string,
  schema: string,
  tasks: number,
  ms: number,
) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, queueName, stateId, url(), schema, String(tasks), String(ms)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, exited, out: () => out, err: () => err };
}

describe.skipIf(!hasRedis || !hasPostgres)('BullMQ: a coordinator killed and resumed', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('resumes from PostgreSQL without running completed or in-flight work again', async () => {
    const queueName = uniqueQueue('resume');
    const schema = uniqueSchema('bullmq');
    const stateId = `resume-${process.pid}`;
    const redis: Redis = testRedis();
    const admin = adminPool();
    const workers: WorkerProcess[] = await Promise.all([
      startWorkerProcess(queueName, 'w0', 1),
      startWorkerProcess(queueName, 'w1', 1),
    ]);
    cleanups.push(async () => {
      await Promise.all(workers.map((w) => w.kill('SIGKILL')));
      await cleanQueue(redis, queueName);
      redis.disconnect();
      await dropSchema(admin, schema);
      await admin.end();
    });
    const TASKS = 8;
    const first = coordinator(queueName, stateId, schema, TASKS, 600);
    // Killed once some runs are checkpointed and others are running on the workers.
    await waitUntil(
      () => (first.out().match(/^done /gm) ?? []).length >= 3,
      60_000,
      'three checkpointed runs',
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const before = first.out();
    const second = coordinator(queueName, stateId, schema, TASKS, 600);
    const code = await second.exited;
    expect(code, second.err()).toBe(0);
    const results = JSON.parse(/^results (.*)$/m.exec(second.out())?.[1] ?? '[]') as {
      doubled: number;
    }[];
    expect(results.map((r) => r.doubled)).toEqual(Array.from({ length: TASKS }, (_, n) => n * 2));
    // Every handler ran exactly once over both coordinators.
    expect(await redis.hgetall(keys(queueName).calls)).toEqual(
      Object.fromEntries(Array.from({ length: TASKS }, (_, n) => [String(n), '1'])),
    );
    // What the first one checkpointed, the second one replayed.
    const recovered = (second.out().match(/^done recovered .*/gm) ?? []).length;
    expect(recovered).toBeGreaterThanOrEqual((before.match(/^done completed/gm) ?? []).length);
  }, 120_000);
});

describe.skipIf(hasRedis && hasPostgres)('BullMQ resume without its services', () => {
  it('is skipped', () => console.warn(hasRedis ? PG_SKIP : SKIP_MESSAGE));
});
