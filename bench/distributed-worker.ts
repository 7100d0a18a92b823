/**
 * A worker process of bench/distributed.ts: `distributed-worker.ts <rh|raw> <queue> <concurrency>`.
 * `rh` runs the `Tiny` tool through `startWorker`; `raw` is a plain BullMQ `Worker` doing the same
 * work. Prints `ready` once it takes jobs; stops on SIGTERM.
 */
import { Worker } from 'bullmq';
import { startWorker } from '../src/bullmq/index.js';
import { tiny } from './distributed-actors.js';

const [mode = 'rh', queueName = '', concurrency = '50'] = process.argv.slice(2);
const connection = { host: '127.0.0.1', port: 6379 };
let close: () => Promise<void>;
if (mode === 'raw') {
  const worker = new Worker(queueName, async (job) => ({ i: (job.data as { i: number }).i }), {
    connection,
    concurrency: Number(concurrency),
  });
  await worker.waitUntilReady();
  close = () => worker.close();
} else {
  const worker = await startWorker({
    connection,
    queueName,
    actors: [tiny],
    concurrency: Number(concurrency),
  });
  close = () => worker.close();
}
process.stdout.write('ready\n');
process.on(
  'SIGTERM',
  () =>
    void close().then(() => {
      process.exit(0);
    }),
);
