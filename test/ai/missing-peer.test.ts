/**
 * Without `ai` installed: the package root still loads, and `rh-agents/ai` fails with a message
 * saying what to install. Run in a child process on a copy of the sources whose node_modules has
 * every dependency except `ai`.
 */
import { describe, expect, it } from 'vitest';
import { sourcesWithout } from '../helpers/sources-without-peer.js';

const { run } = sourcesWithout('ai', ['zod', 'picocolors']);

describe('without the AI SDK installed', () => {
  it('the package root loads', () => {
    const child = run(
      "const m = await import('./src/index.ts'); console.log(typeof m.AdaptiveLimiter, typeof m.ExecutionState);",
    );
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('function function');
  });

  it('importing rh-agents/ai fails with a message saying what to install', () => {
    const child = run(
      "try { await import('./src/ai/index.ts'); console.log('loaded'); } catch (e) { console.log(e.name + ': ' + e.message); }",
    );
    expect(child.stdout.trim()).toBe(
      'MissingPeerDependencyError: rh-agents/ai needs the AI SDK, an optional peer dependency that is not installed: run `npm install ai@^6`, plus a provider package for your model, e.g. `npm install @ai-sdk/openai-compatible@^2` (ai 7 needs Node.js 22).',
    );
  });
});
