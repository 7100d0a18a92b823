/**
 * Smoke test: every `examples/*.ts` runs to completion (exit code 0) as a user would run it, in
 * its own Node process with tsx, and prints what it promises. Files starting with `_` are scratch
 * files and are skipped.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startingNow } from './helpers/concurrency-limit.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = join(root, 'examples');

/** Text each known example must print; examples not listed here only have to exit with 0. */
const expected: Record<string, (string | RegExp)[]> = {
  'actors.ts': [
    'Oslo: 3 days, mean 5.0 °C',
    'Lisbon, 2 days in °F -> ok: {"city":"Lisbon","forecast":[64,66]}',
    'Oslo, 30 days -> failed: Invalid input for Forecast: `days`: Too big: expected number to be <=7. The handler was not called; pass input that matches its inputSchema.',
    'InputValidationError: actorName Forecast, fields [days]',
    'Atlantis -> failed: Forecast returned a result that fails its outputSchema: `forecast.0`: Too big: expected number to be <=150.',
    "Narnia -> failed: Precondition 'knownCity' of Forecast failed; the handler was not called.",
    "Reykjavik -> failed: Postcondition 'oneValuePerDay' of Forecast failed.",
    'actor retry (3 attempts): ok: "answered on call 3"',
    'retrying: Attempt 2 of 3 failed: 503 on call 2; retrying in 20 ms.',
    'event retry { enabled: false }: failed: 503 on call 1\n',
    'defaultRetry (2 attempts), a tool: failed: 503 on call 2 (after 2 attempts)',
    'defaultRetry, an agent: ok: "answered on call 2"',
    'retryByEventType.llm_call { enabled: false }: failed: 503 on call 1\n',
    'retryOn/exclude, timeout: failed: timed out (after 3 attempts)',
    'retryOn/exclude, quota: failed: quota exceeded\n',
    'retryOn/exclude, bug: failed: cannot read properties of undefined\n',
    'defaultRetryConfig: 3 attempts, exponential from 1000 ms, x2, at most 60000 ms, jitter true',
    'exponential 100, 200, 400, 800, 1600 ms',
    'fibonacci   100, 100, 200, 300, 500 ms',
    'jitter on the first delay of 1000 ms: 750 to 1250 ms',
    "isExecutionResult(a run's result): true",
    'isExecutionResult({ ok: true }): false',
    'Trip::Forecast#2::tool_call completed (attempt 1)',
    "hasCompleted('Trip::agent_call'): true",
    "hasCompleted('Forecast#2::tool_call'): false",
    'storage: {"lastTrip":["Oslo","Lisbon"]}',
  ],
  // `npm start`, piped: the simulated model, the live view, the interrupt and the resume.
  'demo.ts': [
    /^Model: simulated: an OpenAI-compatible server on http:\/\/127\.0\.0\.1:\d+\/v1, started by this demo/m,
    /^Checkpoints: \.rh-agents\/demo\/, state demo-\d{14}-[0-9a-f]{4} \(FileSystemStateBackend\)$/m,
    /^Live view: http:\/\/127\.0\.0\.1:\d+\/$/m,
    '  ┌ Researchers: 3 tasks, 3 at a time',
    /\n {6}┌ \[\d\] Tools: 4 tasks, 4 at a time\n/,
    /\n {8}▶ (\[\d\]|Research::Researchers\[\d\]::Researcher::Tools\[\d\]) ReadDoc tool_call started\n/,
    '⊘ Interrupted (request): the demo stops its pipeline after 5 summaries',
    /\n {3}interrupted after [\d.]+ s \(state interrupted\): \d+ runs had completed, each checkpointed as it/,
    '    ↺ [0] Researcher agent_call recovered',
    /\n {4}↺ \[\d+\] Summarize llm_call recovered/,
    /\n {3}resumed: \d+ runs replayed from the store, \d+ run again\.\n/,
    '✔ Research agent_call completed',
    'Brief (written by the simulated model):',
    /\nSummary\n {2}runs {5}\d+ in both passes/,
    /\n {2}resume {3}\d+ runs replayed instead of \d+ redone: \d+ model requests and [\d,]+ tokens saved\n/,
    /\n {2}stored {3}state demo-\d{14}-[0-9a-f]{4} \(completed\) in \.rh-agents\/demo\/\n/,
    'Live view closed: stdout is not a terminal, so the demo ends with the run.',
  ],
  'interrupts-and-events.ts': [
    'a subscriber failed on Square::tool_call completed: disk full',
    'handled by the slow subscriber when the runs returned: 0 of 4',
    'after drain(): 4 of 4: Square::tool_call started, Square::tool_call completed, Square#2::tool_call started, Square#2::tool_call completed',
    'logs: [warning] Square#2::tool_call: negative input -4',
    'stream() saw started, completed, started, completed, and ended at close()',
    'events by kind (counted until unsubscribe): {"execution":4,"log":1}',
    'interrupt event: request, the user pressed stop',
    'running crawl: failed: Interrupted: the user pressed stop. No new runs are started; running ones see state.signal aborted.',
    'error is an InterruptedError: true',
    'a later run: interrupted, failed: Interrupted: the user pressed stop.',
    'state.interrupted: true',
    'printer.summary(): 2 runs, 0 completed, 2 interrupted',
    'processed 3 of 6 items, then failed: Interrupted: a STOP file was found.',
    'status: interrupted',
    'failed: Interrupted: the state timeout of 100 ms elapsed.',
    'stopped after about 100 ms, not 2 s: true',
    'saved: state open, 2 failures',
    "restored: open; a task: failed: Circuit breaker open: task 0 of group 'AfterRestart' was refused without being invoked",
    'after reset(): closed; a task: ok: "served"',
  ],
  'llm-structured-output.ts': [
    /Simulated OpenAI-compatible server at http:\/\/127\.0\.0\.1:\d+\/v1/,
    'text: Simulated answer to: What does rh-agents do?',
    'finish reason: stop, model: sim-writer',
    'object: title="simulated title" sentiment=positive stars=1',
    'summary: Simulated answer to: Review: "fast, small, well documented"',
    /usage: \{"inputTokens":\d+,"outputTokens":\d+,"totalTokens":\d+\}/,
    'mismatch -> ok: false, Reviewer: the model\'s reply does not match its outputSchema: `sentiment`: Invalid option: expected one of "positive"|"neutral"|"negative"; `stars`: Invalid input: expected number, received undefined; `summary`: Invalid input: expected string, received undefined.',
    'streamed in 4 pieces: Simulated answer to: |Stream a longer |answer for me, |please',
    'same as the result text: true',
    'history: Writer::llm_call completed, Reviewer::llm_call completed, Reviewer#2::llm_call failed, Streamer::llm_call completed',
    'requests the server received: 4',
  ],
  'tool-agent.ts': [
    '    ▶ Tools[3] ReadDoc tool_call started',
    '    ✖ Tools[3] ReadDoc tool_call failed',
    '2 model steps, 4 tool calls in step 1',
    '  ReadDoc({"id":"intro"}) -> ok',
    '  ReadDoc({"id":"limits"}) -> ok',
    '  ReadDoc({"id":"missing"}) -> error: no document \'missing\' (after 2 attempts)',
    'the tool calls overlapped in time: true',
    'they ran as 1 parallel group: Researcher::Tools',
    'answer: Summary of 4 tool results: {"id":"intro","text":"rh-agents runs actors as addressed,...',
    'step limit -> StepLimitError: Stubborn reached maxSteps (2) model calls and the model still asked for tools (ReadDoc); raise maxSteps, or give the model a task it can finish in fewer steps.',
  ],
  'rate-limits.ts': [
    /120 of 120 calls succeeded in [\d.]+ s \(\d+ calls\/s against a limit of 60\/s\)/,
    /the server refused \d+ of \d+ requests with 429/,
    'limit events (first 6):',
    /\n {2}\d+ -> \d+: rate limited \(429\), retry after \d+ ms\n/,
    'the limiter lowered its concurrency after a 429: true',
    'after a 429 with retry-after-ms 300: served',
    'the retry came 300 ms or more after the 429: true',
  ],
  'live-view.ts': [
    /^Live view: http:\/\/127\.0\.0\.1:\d+\/$/m,
    'Research: {"topic":"parallel agents","summaries":22}',
    '44 parallel runs completed, 2282 tokens',
    '148 events served',
    'Live view closed.',
  ],
  'tracing.ts': [
    'Research: Three pages about tracing.',
    '11 spans, one trace:',
    [
      'invoke_agent Research (completed; at Research::agent_call)',
      '  parallel Pages (failed; 2 of 3 completed, 1 failed; ERROR 1 of 3 tasks failed)',
      '    execute_tool FetchPage (completed; at Research::Pages[0]::FetchPage::tool_call)',
      '      GET https://example.com/a',
      '    execute_tool FetchPage (completed; at Research::Pages[1]::FetchPage::tool_call; retried after: 503 Service Unavailable)',
      '      GET https://example.com/flaky',
      '      GET https://example.com/flaky',
      '    execute_tool FetchPage (failed; at Research::Pages[2]::FetchPage::tool_call; retried after: 404 Not Found; ERROR 404 Not Found (after 2 attempts))',
      '      GET https://example.com/missing',
      '      GET https://example.com/missing',
      '  chat sim-small (completed; at Research::Summarize::llm_call; tokens 42 in, 7 out)',
    ].join('\n'),
  ],
  'resume-after-crash.ts': [
    /^child: \d+ of 10 thumbnails finished, then kill -9$/m,
    'resumed: 10 of 10 thumbnails, state completed',
    /^replayed from the store: [4-9] \(not rendered again\)$/m,
    'finished before the kill and rendered again: 0',
  ],
  'parallel-basic.ts': [
    'Fetched 6 pages with 3 workers',
    '[0] https://example.com/a: 21504 bytes',
    'Group Pages: 6 completed, 0 failed',
    'Word counts: fox=4, dog=5, plain=200',
    "Squares by name: square-of-3=9, unnamed '3'=0",
    'Recorded: Pages[4]::FetchPage::tool_call completed (group Pages, branch 4, tag crawl)',
  ],
  'parallel-streaming.ts': [
    /eu-north answered[^]*us-east answered[^]*us-west answered[^]*eu-west answered[^]*ap-south answered/,
    'Fastest mirror: eu-north',
    'Group FirstMirror is cancelled: 1 completed, 4 cancelled (4 stopped early by their signal)',
    'Completed runs seen on the bus stream: Two[0]::Ping::tool_call, Two[1]::Ping::tool_call',
  ],
  'parallel-error-handling.ts': [
    '[1] 5550 failed: card 5550 was declined',
    '4 charged, 1 declined',
    "gather() rejected with the task's own error: true (card 5550 was declined)",
    '2 of 5 tasks started; the rest never ran',
    "ParallelTimeoutError: Parallel group 'Quotes' timed out after 150 ms with 2 of 3 tasks finished",
    '[2] 400ms failed: Cancelled',
    '[0] flaky ok: "succeeded on attempt 3"',
    '[1] broken failed: HTTP 500 (after 3 attempts)',
    'during the outage: 3 invoked, 3 refused without being invoked',
    'after the reset timeout: 3 of 3 served, breaker closed',
  ],
};

const files = readdirSync(examplesDir)
  .filter((file) => file.endsWith('.ts') && !file.startsWith('_'))
  .sort();

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const TIMEOUT_MS = 30_000;

function runExample(file: string): Promise<Outcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(examplesDir, file)], {
      cwd: root,
      // Plain, uncoloured output, as in CI; keep the parent's PATH and the like.
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

// Started at collection time, as many at once as the machine has cores (each example's 30 s
// budget then buys it a fair share of a core, also on a 2-core CI machine running the other test
// files), so the test takes about as long as the examples' total divided by the cores.
const limit = startingNow(Math.max(2, availableParallelism()));
const runs = new Map(files.map((file) => [file, limit(() => runExample(file))]));
for (const run of runs.values()) run.catch(() => {});

describe('examples', () => {
  it('has the parallel examples', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'parallel-basic.ts',
        'parallel-streaming.ts',
        'parallel-error-handling.ts',
      ]),
    );
  });

  it.each(files)('%s runs to completion', { timeout: TIMEOUT_MS + 5_000 }, async (file) => {
    const { code, signal, stdout, stderr } = await (runs.get(file) as Promise<Outcome>);
    expect({ file, code, signal, stderr: code === 0 ? '' : stderr }).toEqual({
      file,
      code: 0,
      signal: null,
      stderr: '',
    });
    expect(stderr).not.toMatch(/Warning|Unhandled/);
    for (const text of expected[file] ?? []) {
      if (typeof text === 'string') expect(stdout).toContain(text);
      else expect(stdout).toMatch(text);
    }
  });
});
