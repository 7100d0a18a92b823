/**
 * Actors and runs: `Tool`, `LLM` and `Agent` with zod schemas, what bad input and bad results
 * look like, preconditions and postconditions, every level of retry configuration, the backoff
 * strategies, and what a state records (`state.history`, `state.storage`).
 *
 *   npx tsx examples/actors.ts
 */
import { z } from 'zod';
import {
  Agent,
  BackoffStrategy,
  ExecutionEvent,
  ExecutionState,
  InputValidationError,
  LLM,
  Tool,
  backoffDelay,
  defaultRetryConfig,
  isExecutionResult,
  type ExecutionResult,
} from '../src/index.js';

const show = (r: ExecutionResult): string =>
  r.ok ? `ok: ${JSON.stringify(r.result)}` : `failed: ${r.errorMessage}`;

// 1. Actors. The handler's input is the parsed output of `inputSchema` (defaults applied) and is
//    typed from it; the result is checked against `outputSchema` on the way out. The context is
//    any value of yours, handed to the handler and the conditions untouched.
console.log('1. Actors');

interface Units {
  units: 'C' | 'F';
}

const temperatures: Record<string, number[]> = {
  Oslo: [4, 6, 5, 7, 8, 6, 5],
  Lisbon: [18, 19, 21, 20, 22, 23, 21],
  Reykjavik: [1, 2], // only two days known
  Atlantis: [999, 5, 6], // a broken upstream
};

// Named functions: their names appear in the failure messages.
function knownCity(input: { city: string }): boolean {
  return input.city in temperatures;
}
function oneValuePerDay(result: { forecast: number[] }, input: { days: number }): boolean {
  return result.forecast.length === input.days;
}

const forecast = new Tool({
  name: 'Forecast',
  description: 'Daily temperatures for a city',
  inputSchema: z.object({
    city: z.string().min(1),
    days: z.number().int().min(1).max(7).default(3),
  }),
  outputSchema: z.object({ city: z.string(), forecast: z.array(z.number().max(150)) }),
  preconditions: [knownCity], // `false` or a throw fails the run; the handler is not called
  postconditions: [oneValuePerDay], // checked on the result, after the outputSchema
  retry: { enabled: false }, // tools retry 3 times by default; bad data does not get better
  handler: async ({ city, days }, context: Units) => {
    const celsius = (temperatures[city] ?? []).slice(0, days);
    const values = context.units === 'F' ? celsius.map((c) => Math.round(c * 1.8 + 32)) : celsius;
    return { city, forecast: values };
  },
});

const describeWeather = new LLM({
  name: 'Describe',
  inputSchema: z.object({ city: z.string(), forecast: z.array(z.number()) }),
  // A stand-in for a model call.
  handler: async ({ city, forecast }, context: Units) => {
    const mean = forecast.reduce((a, b) => a + b, 0) / forecast.length;
    return `${city}: ${forecast.length} days, mean ${mean.toFixed(1)} °${context.units}`;
  },
});

const trip = new Agent({
  name: 'Trip',
  inputSchema: z.object({ cities: z.array(z.string()) }),
  handler: async ({ cities }, context: Units, state) => {
    const lines: string[] = [];
    for (const city of cities) {
      const f = await state.run(forecast, { city }, context); // `days` defaults to 3
      if (!f.ok || !f.result) throw f.error;
      const d = await state.run(describeWeather, f.result, context);
      if (!d.ok || d.result === undefined) throw d.error;
      lines.push(d.result);
    }
    state.storage.set('lastTrip', cities); // a small key/value store shared by the state's runs
    return lines;
  },
});

const state = new ExecutionState();
const celsius: Units = { units: 'C' };

const planned = await state.run(trip, { cities: ['Oslo', 'Lisbon'] }, celsius);
for (const line of planned.result ?? []) console.log(`  ${line}`);
const inF = await state.run(forecast, { city: 'Lisbon', days: 2 }, { units: 'F' });
console.log(`  Lisbon, 2 days in °F -> ${show(inF)}`);

// Input that fails the schema never reaches the handler.
const badInput = await state.run(forecast, { city: 'Oslo', days: 30 }, celsius);
console.log(`  Oslo, 30 days -> ${show(badInput)}`);
if (badInput.error instanceof InputValidationError) {
  const { actorName, fields } = badInput.error;
  console.log(`  InputValidationError: actorName ${actorName}, fields [${fields.join(', ')}]`);
}
const badResult = await state.run(forecast, { city: 'Atlantis' }, celsius);
console.log(`  Atlantis -> ${show(badResult)}`);
const unknown = await state.run(forecast, { city: 'Narnia' }, celsius);
console.log(`  Narnia -> ${show(unknown)}`);
const short = await state.run(forecast, { city: 'Reykjavik' }, celsius);
console.log(`  Reykjavik -> ${show(short)}`);

// 2. Retry. The most specific config wins: event `retry` > actor `retry` > the state's
//    `retryByEventType[eventType]` > the state's `defaultRetry` > the built-in defaults (tools
//    and LLMs 3 attempts, agents none). `enabled: false` switches retrying off at its level; it
//    does not fall through to a less specific, enabled config.
console.log('2. Retry');

/** A handler that fails its first `failures` calls, then answers. */
function failing(failures: number) {
  let calls = 0;
  return async () => {
    calls++;
    if (calls <= failures) throw new Error(`503 on call ${calls}`);
    return `answered on call ${calls}`;
  };
}
const fast = { initialDelayMs: 20, backoffStrategy: BackoffStrategy.CONSTANT, jitter: false };

// Actor `retry`: 3 attempts, 20 ms apart. Each retry is recorded with its reason.
const flaky = new Tool({
  name: 'Flaky',
  inputSchema: z.object({}),
  retry: { maxAttempts: 3, ...fast },
  handler: failing(2),
});
console.log(`  actor retry (3 attempts): ${show(await state.run(flaky, {}))}`);
for (const record of state.history.events) {
  if (record.address === 'Flaky::tool_call' && record.status === 'retrying')
    console.log(`    retrying: ${record.message}`);
}

// Event `retry` wins over the actor's.
const flaky2 = new Tool({
  name: 'Flaky2',
  inputSchema: z.object({}),
  retry: { maxAttempts: 3, ...fast },
  handler: failing(2),
});
const noRetry = new ExecutionEvent({ actor: flaky2, retry: { enabled: false } });
console.log(`  event retry { enabled: false }: ${show(await noRetry.run({}, undefined, state))}`);

// The state's policies. `defaultRetry` covers every run without a closer config, agents too
// (it beats the built-in "agents do not retry"); `retryByEventType` beats `defaultRetry`.
const policies = new ExecutionState({
  defaultRetry: { maxAttempts: 2, ...fast },
  retryByEventType: { llm_call: { enabled: false } },
});
const fetchPage = new Tool({ name: 'FetchPage', inputSchema: z.object({}), handler: failing(5) });
const complete = new LLM({ name: 'Complete', inputSchema: z.object({}), handler: failing(5) });
const plan = new Agent({ name: 'Plan', inputSchema: z.object({}), handler: failing(1) });
console.log(`  defaultRetry (2 attempts), a tool: ${show(await policies.run(fetchPage, {}))}`);
console.log(`  defaultRetry, an agent: ${show(await policies.run(plan, {}))}`);
console.log(
  `  retryByEventType.llm_call { enabled: false }: ${show(await policies.run(complete, {}))}`,
);

// retryOn / exclude: classes (matched with instanceof) or predicates; exclude wins.
class TransientError extends Error {}
const guarded = new Tool({
  name: 'Guarded',
  inputSchema: z.object({ problem: z.enum(['timeout', 'quota', 'bug']) }),
  retry: {
    maxAttempts: 3,
    ...fast,
    retryOn: [TransientError],
    exclude: [(error) => error instanceof Error && error.message.includes('quota')],
  },
  handler: async ({ problem }): Promise<string> => {
    if (problem === 'bug') throw new TypeError('cannot read properties of undefined');
    throw new TransientError(problem === 'quota' ? 'quota exceeded' : 'timed out');
  },
});
for (const problem of ['timeout', 'quota', 'bug'] as const)
  console.log(`  retryOn/exclude, ${problem}: ${show(await state.run(guarded, { problem }))}`);

// backoffDelay(config, attempt) is the delay after attempt `attempt` failed; `defaultRetryConfig`
// is the built-in policy with every field filled in.
const d = defaultRetryConfig;
console.log(
  `  defaultRetryConfig: ${d.maxAttempts} attempts, ${d.backoffStrategy} from ${d.initialDelayMs} ms, ` +
    `x${d.backoffMultiplier}, at most ${d.maxDelayMs} ms, jitter ${d.jitter}`,
);
for (const strategy of Object.values(BackoffStrategy)) {
  const config = { ...d, backoffStrategy: strategy, initialDelayMs: 100, jitter: false };
  const delays = [1, 2, 3, 4, 5].map((attempt) => backoffDelay(config, attempt));
  console.log(`  ${strategy.padEnd(11)} ${delays.join(', ')} ms`);
}
// With jitter each delay is spread by ±25% (the third argument replaces Math.random).
const low = backoffDelay(d, 1, () => 0);
const high = backoffDelay(d, 1, () => 1);
console.log(`  jitter on the first delay of ${d.initialDelayMs} ms: ${low} to ${high} ms`);

// 3. What the state recorded.
console.log('3. History and storage');
console.log(`  isExecutionResult(a run's result): ${isExecutionResult(planned)}`);
console.log(`  isExecutionResult({ ok: true }): ${isExecutionResult({ ok: true })}`);
const { history } = state;
console.log(`  ${history.events.length} records at ${history.addresses().length} addresses:`);
for (const address of history.addresses().slice(0, 6)) {
  const latest = history.get(address);
  console.log(`    ${address} ${latest?.status} (attempt ${latest?.retryAttempt})`);
}
console.log(`  hasCompleted('Trip::agent_call'): ${history.hasCompleted('Trip::agent_call')}`);
console.log(
  `  hasCompleted('Forecast#2::tool_call'): ${history.hasCompleted('Forecast#2::tool_call')}`,
);
console.log(`  storage: ${JSON.stringify(state.storage.toJSON())}`);
