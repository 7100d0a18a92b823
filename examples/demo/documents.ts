/**
 * The demo's little library: twelve short documents about rh-agents, on three topics. The
 * researchers read them with a tool; each is also summarised on its own.
 */

export interface Topic {
  /** Shown in the output and sent to the model. */
  title: string;
  /** The ids of its documents, in order. */
  docs: readonly string[];
}

export const TOPICS: readonly Topic[] = [
  { title: 'parallel groups', docs: ['groups', 'workers', 'strategies', 'breakers'] },
  { title: 'recovery', docs: ['checkpoints', 'replay', 'backends', 'crashes'] },
  { title: 'rate limits', docs: ['limiter', 'retry-after', 'budgets', 'tool-agents'] },
];

export const DOCUMENTS: Readonly<Record<string, string>> = {
  groups:
    'Independent runs go in a parallel group, and each branch gets its own address. A group gathers its results in order and publishes its progress as events.',
  workers:
    'A group runs at most maxWorkers branches at once, and a state can cap every group together. Slots are lent to nested groups so they never deadlock.',
  strategies:
    'Under fail_slow every branch finishes and failures are collected; under fail_fast the first failure cancels the others. Timeouts cancel a whole group.',
  breakers:
    'A circuit breaker stops calling a failing dependency for a while. Tasks it refuses fail at once without being invoked.',
  checkpoints:
    'With a state backend every run that ends is appended to a log before its promise resolves. A crash loses at most the runs still in flight.',
  replay:
    'A restored state runs the same program again: runs that completed return their recorded results without calling their handlers. Failed and unfinished branches run again.',
  backends:
    'The file system backend needs nothing installed; SQLite and PostgreSQL share one interface. A conformance suite tests every backend the same way.',
  crashes:
    'A process killed with SIGKILL leaves its last good record readable. A fresh process loads the state and resumes it.',
  limiter:
    'An adaptive limiter shares one concurrency limit between every call to a provider. It lowers the limit on a 429 and raises it again after sustained success.',
  'retry-after':
    'A retry waits at least as long as the Retry-After header asked. The limiter also pauses every call until then.',
  budgets:
    'Requests per minute and tokens per minute are token buckets. Tokens are charged from the usage each call reports.',
  'tool-agents':
    'A ToolAgent lets a model call tools, and the tool calls of one step run as a parallel group. A failing tool goes back to the model as an error result.',
};

/** The first sentence of a text. */
export function firstSentence(text: string): string {
  const end = text.indexOf('. ');
  return end < 0 ? text : text.slice(0, end + 1);
}
