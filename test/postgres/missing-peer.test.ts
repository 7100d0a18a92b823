/**
 * Without `pg` installed: the package root still loads, and `rh-agents/postgres` fails with a
 * message saying what to install. Run in a child process on a copy of the sources whose
 * node_modules has every dependency except `pg`.
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
  dir = mkdtempSync(join(tmpdir(), 'rh-agents-no-pg-'));
  cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'no-pg', type: 'module' }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(root, 'node_modules', 'zod'), join(dir, 'node_modules', 'zod'), 'dir');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(code: string) {
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  return spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', code], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

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
