/**
 * Without `@opentelemetry/api` installed: the package root still loads, and `rh-agents/otel`
 * fails with a message saying what to install. Run in a child process on a copy of the sources
 * whose node_modules has every dependency the root needs, and not the OpenTelemetry API.
 */
import { describe, expect, it } from 'vitest';
import { sourcesWithout } from '../helpers/sources-without-peer.js';

const { run } = sourcesWithout('@opentelemetry/api', ['zod']);

describe('without @opentelemetry/api installed', () => {
  it('the package root loads, tracing off', () => {
    const child = run(
      "const m = await import('./src/index.ts'); const s = new m.ExecutionState(); console.log(typeof m.ExecutionState, s.stateId.length);",
    );
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('function 36');
  });

  it('importing rh-agents/otel fails with a MissingPeerDependencyError saying what to install', () => {
    const child = run(
      "const { MissingPeerDependencyError } = await import('./src/index.ts'); try { await import('./src/otel/index.ts'); console.log('loaded'); } catch (e) { console.log(e instanceof MissingPeerDependencyError, e.name + ': ' + e.message); }",
    );
    expect(child.stdout.trim()).toBe(
      'true MissingPeerDependencyError: rh-agents/otel needs the OpenTelemetry API, an optional peer dependency that is not installed: run `npm install @opentelemetry/api@^1.9`, plus an SDK that records and exports the spans, e.g. `npm install @opentelemetry/sdk-trace-node@^2`.',
    );
  });
});
