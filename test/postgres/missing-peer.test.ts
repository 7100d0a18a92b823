/**
 * Without `pg` installed: the package root still loads, and `rh-agents/postgres` fails with a
 * message saying what to install. Run in a child process on a copy of the sources whose
 * node_modules has every dependency except `pg`.
 */
import { describe, expect, it } from 'vitest';
import { sourcesWithout } from '../helpers/sources-without-peer.js';

const { run } = sourcesWithout('pg', ['zod']);

describe('without pg installed', () => {
  it('the package root loads, its backends included', () => {
    const child = run(
      "const m = await import('./src/index.ts'); console.log(typeof m.FileSystemStateBackend, typeof m.ExecutionState);",
    );
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('function function');
  });

  it('importing rh-agents/postgres fails with a message saying what to install', () => {
    const child = run(
      "try { await import('./src/postgres/index.ts'); console.log('loaded'); } catch (e) { console.log(e.name + ': ' + e.message); }",
    );
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe(
      "MissingPeerDependencyError: rh-agents/postgres needs pg, an optional peer dependency that is not installed: run `npm install pg@^8`. Or keep states in a FileSystemStateBackend or SqliteStateBackend from 'rh-agents'.",
    );
  });
});
