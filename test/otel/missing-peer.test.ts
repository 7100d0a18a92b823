/**
 * Without `@opentelemetry/api` installed: the package root still loads, and `rh-agents/otel`
 * fails with a message saying what to install. Run in a child process on a copy of the sources
 * whose node_modules has every dependency the root needs, and not the OpenTelemetry API.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rh-agents-no-otel-'));
  cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'no-otel', type: 'module' }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(root, 'node_modules', 'zod'), join(dir, 'node_modules', 'zod'), 'dir');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(code: string) {
  // The same loader as `node --import tsx`, found from this package.
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  return spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', code], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

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
