/**
 * Without `ai` installed: the package root still loads, and `rh-agents/ai` fails with a message
 * saying what to install. Run in a child process on a copy of the sources whose node_modules has
 * every dependency except `ai`.
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
  dir = mkdtempSync(join(tmpdir(), 'rh-agents-no-ai-'));
  cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'no-ai', type: 'module' }));
  mkdirSync(join(dir, 'node_modules'));
  for (const dep of ['zod', 'picocolors'])
    symlinkSync(join(root, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir');
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
