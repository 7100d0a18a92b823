/**
 * A worker: run as many as you like, on any machine that reaches Redis.
 *
 *   REDIS_HOST=127.0.0.1 npx tsx examples/distributed/worker.ts
 *
 * It takes jobs from the queue `docs`, runs them with the actors it was given, and sends records
 * and results back to the coordinator. Stop it with Ctrl-C: it finishes its running jobs first.
 */
import { startWorker } from '../../src/bullmq/index.js';
import { summarize } from './actors.js';

const connection = {
  host: process.env.REDIS_HOST ?? '127.0.0.1',
  port: Number(process.env.REDIS_PORT ?? 6379),
};
const worker = await startWorker({
  connection,
  queueName: 'docs',
  actors: [summarize], // every actor the coordinator may send here
  concurrency: 20,
  workerOptions: {
    // How soon a job of a worker that died runs again elsewhere: its lock expires after
    // lockDuration, and stalled jobs are looked for every stalledInterval.
    lockDuration: 30_000,
    stalledInterval: 30_000,
  },
});
console.log(`worker ${process.pid} takes jobs from queue 'docs'`);
process.once('SIGINT', () => void worker.close().then(() => process.exit(0)));
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
