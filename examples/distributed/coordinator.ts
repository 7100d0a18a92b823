/**
 * The coordinator: runs one parallel group whose runs execute on the workers, with its state in
 * PostgreSQL so that it can be killed and started again without repeating finished work.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx examples/distributed/coordinator.ts [stateId]
 *
 * Start one or more workers first (worker.ts). Run it again with the state id it printed to
 * resume: finished runs are replayed from PostgreSQL, jobs still in the queue are collected.
 */
import { BullMQExecutor } from '../../src/bullmq/index.js';
import { ExecutionEvent, ExecutionState, ParallelEventPrinter } from '../../src/index.js';
import { PostgresStateBackend } from '../../src/postgres/index.js';
import { summarize } from './actors.js';

const connection = {
  host: process.env.REDIS_HOST ?? '127.0.0.1',
  port: Number(process.env.REDIS_PORT ?? 6379),
};
const stateBackend = new PostgresStateBackend({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
});
const executor = new BullMQExecutor({ connection, queueName: 'docs' });
await executor.ready(); // fails at once, naming host:port, when Redis is not there

const stateId = process.argv[2];
const state =
  stateId !== undefined && (await stateBackend.has(stateId))
    ? await ExecutionState.load(stateId, { stateBackend })
    : new ExecutionState({ stateBackend, metadata: { pipeline: 'distributed-docs' } });
console.log(`state ${state.stateId} (run again with this id to resume)`);
state.eventBus.subscribe(new ParallelEventPrinter({ mode: 'progress' }));

const docs = Array.from({ length: 50 }, (_, i) => ({
  id: `doc-${i}`,
  text: `Document ${i} talks about queues, workers and state`,
}));
const results = await state.parallel({ maxWorkers: 20, executor, name: 'Documents' }, (p) => {
  for (const doc of docs)
    p.add(new ExecutionEvent({ actor: summarize }).run(doc, '', state), doc.id);
});
const workers = new Set(results.map((r) => (r.result as { pid?: number } | undefined)?.pid));
console.log(
  `${results.filter((r) => r.ok).length}/${results.length} documents summarized by ${workers.size} worker process(es)`,
);
await executor.close();
await stateBackend.close();
