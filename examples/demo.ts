/**
 * The demo behind `npm start`: a research pipeline of parallel agents, checkpointed, interrupted
 * part way and resumed, with the live view serving the run.
 *
 *   npm start          # on a terminal: progress bars; the live view stays up until Ctrl-C
 *   npm start | cat    # not a terminal: every run as it happens; exits when the run ends
 *   OPENAI_BASE_URL=https://api.openai.com/v1 OPENAI_API_KEY=sk-… RH_MODEL=gpt-4o-mini npm start
 *
 * Three `ToolAgent`s read documents with parallel tool calls and write notes, a `ChatLLM`
 * summarises twelve documents in a parallel group, and a writer turns the notes into a brief;
 * every model call shares one `AdaptiveLimiter` (see `demo/pipeline.ts`). The model is a
 * simulated OpenAI-compatible server started here on loopback, or a real one with
 * `OPENAI_BASE_URL` (see `demo/model.ts`). Every run is checkpointed to a
 * `FileSystemStateBackend` under `.rh-agents/demo/`. The demo interrupts its pipeline after a few
 * summaries, loads the state back with `ExecutionState.load()` and runs the same pipeline again:
 * what completed is replayed from the store, only the rest runs.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AdaptiveLimiter,
  type BusEvent,
  EventBus,
  type ExecutionRecord,
  ExecutionState,
  FileSystemStateBackend,
  type LimitEvent,
  ParallelEventPrinter,
} from '../src/index.js';
import { serveLiveView } from '../src/live/index.js';
import { DOCUMENTS } from './demo/documents.js';
import {
  count,
  ended,
  inFlight,
  limitPath,
  plural,
  savedByResume,
  seconds,
  tokensOf,
  wrap,
} from './demo/figures.js';
import { connectModel } from './demo/model.js';
import { QUESTION, buildPipeline } from './demo/pipeline.js';

const INTERRUPT_AFTER = 5; // summaries completed in the first pass
const KEEP_STATES = 5; // demo states kept in the store (the live view lists them); older ones go
const INITIAL_CONCURRENCY = 4;
const tty = process.stdout.isTTY === true;
const storeDir = join(dirname(fileURLToPath(import.meta.url)), '..', '.rh-agents', 'demo');

// The state running now: the metering fetch asks it which run sends each request.
let current: ExecutionState | undefined;
const model = await connectModel(() => current?.currentAddress);
const limiter = new AdaptiveLimiter({
  name: 'model',
  initialConcurrency: INITIAL_CONCURRENCY,
  maxConcurrency: 8,
});
const pipeline = buildPipeline(model.model, limiter);

const backend = new FileSystemStateBackend({ dir: storeDir });
const bus = new EventBus(); // both passes publish here: the printers and the live view see both
const limits: LimitEvent[] = [];
bus.subscribe((event: BusEvent) => {
  if (event.kind === 'limit') limits.push(event);
});
const view = await serveLiveView({ eventBus: bus, stateBackend: backend, title: 'rh-agents demo' });
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const stateId = `demo-${stamp}-${randomBytes(2).toString('hex')}`;
const storeName = relative(process.cwd(), resolve(storeDir)) || '.';

const WIDTH = tty ? Math.max(60, Math.min(100, (process.stdout.columns ?? 100) - 1)) : 100;
const say = (text: string, first = '', rest = first) => console.log(wrap(text, WIDTH, first, rest));

console.log('rh-agents demo: research agents in parallel, checkpointed, interrupted and resumed\n');
say(`Model: ${model.description}`, '', '       ');
console.log(`Checkpoints: ${storeName}/, state ${stateId} (FileSystemStateBackend)`);
console.log(`Live view: ${view.url}`);
console.log(`Question: ${QUESTION}\n`);

/** Resolves once every run of `state` that started has ended (or after `timeoutMs`). */
function settled(state: ExecutionState, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolveSettled) => {
    let unsubscribe = (): void => {};
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe();
      resolveSettled();
    };
    const timer = setTimeout(done, timeoutMs);
    const check = (): void => {
      if (inFlight(state.history.events) === 0) done();
    };
    unsubscribe = bus.subscribe(check);
    check();
  });
}

/**
 * Runs the pipeline on `state`, printed by its own printer: progress bars on a terminal, every
 * run as it happens on a pipe. An interrupted pipeline returns as soon as its groups are
 * cancelled and its runs in flight end a moment later (their requests aborted): the pass waits
 * for them, so that their records are in the store before the state is loaded back.
 */
async function runPass(state: ExecutionState) {
  const printer = new ParallelEventPrinter({ mode: tty ? 'progress' : 'realtime' });
  const unsubscribe = bus.subscribe(printer);
  const before = state.history.events.length;
  current = state;
  const start = performance.now();
  try {
    const outcome = await state.run(pipeline.research, { question: QUESTION });
    const ms = performance.now() - start;
    await settled(state);
    await bus.drain();
    return { outcome, ms, records: state.history.events.slice(before) as ExecutionRecord[] };
  } finally {
    current = undefined;
    printer.close();
    unsubscribe();
  }
}

// ---- Pass 1: the pipeline runs, and the demo interrupts it after a few summaries ----
say(
  `1. The pipeline runs: 3 researcher agents, ${Object.keys(DOCUMENTS).length} summaries, a brief. The demo interrupts it after ${INTERRUPT_AFTER} summaries.`,
  '',
  '   ',
);
const first = new ExecutionState({
  stateId,
  eventBus: bus,
  stateBackend: backend,
  metadata: { pipeline: 'rh-agents-demo', description: QUESTION, tags: ['demo'] },
});
let summarised = 0;
const watch = bus.subscribe((event: BusEvent) => {
  if (
    event.kind === 'execution' &&
    event.status === 'completed' &&
    event.actor.name === 'Summarize' &&
    ++summarised === INTERRUPT_AFTER
  )
    first.requestInterrupt(`the demo stops its pipeline after ${INTERRUPT_AFTER} summaries`);
});
const pass1 = await runPass(first);
watch();
const pass1Requests = model.requests.slice();
const completedFirst = plural(pass1.records.filter((r) => r.status === 'completed').length, 'run');
console.log();
say(
  first.interrupted
    ? `interrupted after ${seconds(pass1.ms)} (state ${first.status}): ${completedFirst} had completed, each checkpointed as it ended; ${summarised} of ${Object.keys(DOCUMENTS).length} summaries were done.`
    : `The pipeline ended before the interrupt (state ${first.status}) after ${seconds(pass1.ms)}: ${completedFirst} completed${pass1.outcome.ok ? '' : `; ${pass1.outcome.errorMessage}`}`,
  '   ',
);
console.log();

// ---- Pass 2: the state is loaded back from the store, and the same pipeline runs again ----
say(
  '2. ExecutionState.load() restores the state from the store, and the same pipeline runs on it again.',
  '',
  '   ',
);
const second = await ExecutionState.load(stateId, { stateBackend: backend, eventBus: bus });
const pass2 = await runPass(second);
const saved = savedByResume(pass1.records, pass1Requests, pass2.records);
const rerun = ended(pass2.records).length;
console.log();
say(`resumed: ${saved.replayed} runs replayed from the store, ${rerun} run again.`, '   ');
say(
  `The replayed runs stand for ${plural(saved.runs, 'run')} of the first pass (with the model and tool calls nested in them) that were not redone: ${plural(saved.modelCalls, 'model call')}, ${plural(saved.requests, 'HTTP request')}, ${count(saved.tokens)} tokens.`,
  '   ',
);
console.log();
if (pass2.outcome.ok) {
  console.log(`Brief (written by ${model.simulated ? 'the simulated model' : 'the model'}):`);
  say(pass2.outcome.result.brief, '  ');
} else {
  say(`The pipeline failed: ${pass2.outcome.errorMessage}`);
  process.exitCode = 1;
}
console.log();

// ---- Summary ----
const all = [...pass1.records, ...pass2.records];
const runs = ended(all);
const requests = model.requests;
const refused = new Map<number, number>(); // HTTP error statuses answered, and how often
for (const { status } of requests)
  if (typeof status === 'number' && status >= 400)
    refused.set(status, (refused.get(status) ?? 0) + 1);
const refusals = [...refused].sort(([a], [b]) => a - b).map(([s, n]) => `${n} answered ${s}`);
const aborted = requests.filter((r) => r.status === 'aborted').length;
const failedCalls = runs.filter(
  (r) => r.status === 'failed' && r.actor.eventType === 'llm_call',
).length;
const sequentialMs = requests.reduce((sum, r) => sum + r.durationMs, 0) + pipeline.toolTimeMs();
const wallMs = pass1.ms + pass2.ms;
const rateLimited = limiter.snapshot().rateLimited;
const retries = all.filter((r) => r.status === 'retrying').length;
const row = (label: string, text: string) => say(text, `  ${label.padEnd(9)}`, ' '.repeat(11));
console.log('Summary');
row(
  'runs',
  `${count(runs.length)} in both passes, ${count(runs.filter((r) => r.isParallel).length)} of them in parallel groups; ${plural(retries, 'retry')}`,
);
row(
  'model',
  `${plural(requests.length, 'request')}, ${count(tokensOf(all))} tokens${model.simulated ? ' (simulated)' : ''}; ${refusals.length === 0 ? 'none refused' : `${refusals.join(', ')}, ${failedCalls === 0 ? 'all absorbed by retries' : `and ${plural(failedCalls, 'call')} failed after its retries`}`}${aborted > 0 ? `; ${aborted} cut short by the interrupt` : ''}`,
);
row(
  'limiter',
  `concurrency ${limitPath(INITIAL_CONCURRENCY, limits)}: it rises on sustained success and drops on a 429 (${rateLimited === 0 ? 'none' : rateLimited} seen)`,
);
row(
  'time',
  `${seconds(wallMs)} in all, against ~${seconds(sequentialMs)} for the same requests and tool calls one after another (${(sequentialMs / wallMs).toFixed(1)}x faster)`,
);
row(
  'resume',
  `${saved.replayed} runs replayed instead of ${saved.runs} redone: ${plural(saved.requests, 'model request')} and ${count(saved.tokens)} tokens saved`,
);
row('stored', `state ${stateId} (${second.status}) in ${storeName}/`);

await model.close();
try {
  const stored = await backend.list({ pipeline: 'rh-agents-demo' }); // newest first
  for (const old of stored.slice(KEEP_STATES)) await backend.delete(old.stateId);
} catch {
  // Housekeeping only: another demo running at the same time may be deleting too.
}

if (tty) {
  console.log();
  say(
    `Live view: ${view.url} stays up, with this run and the stored demo states: press Ctrl-C to stop.`,
  );
  process.once('SIGINT', () => {
    void view.close().then(() => backend.close());
  });
} else {
  await view.close();
  await backend.close();
  console.log('\nLive view closed: stdout is not a terminal, so the demo ends with the run.');
}
