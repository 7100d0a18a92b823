/**
 * A copy of the package's sources whose node_modules lacks an optional peer: for the tests that
 * the root entry still loads without it and that its subpath fails saying what to install.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// The same loader as `node --import tsx`, found from this package.
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');

export interface SourcesWithoutPeer {
  /** Runs `code`, an ES module, in a child Node process (tsx) in the copy's folder: it imports `./src/...`. */
  run(code: string): SpawnSyncReturns<string>;
}

/**
 * Copies src/ to a temporary folder before the file's tests (removed after them), with a
 * node_modules that links only `dependencies` from this checkout, so `peer` is not installed.
 */
export function sourcesWithout(peer: string, dependencies: readonly string[]): SourcesWithoutPeer {
  if (dependencies.includes(peer))
    throw new Error(`sourcesWithout('${peer}'): keep it out of the dependencies`);
  const label = `no-${peer.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}`;
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `rh-agents-${label}-`));
    cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: label, type: 'module' }));
    mkdirSync(join(dir, 'node_modules'));
    for (const dependency of dependencies)
      symlinkSync(
        join(root, 'node_modules', dependency),
        join(dir, 'node_modules', dependency),
        'dir',
      );
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    run(code) {
      return spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', code], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 20_000,
      });
    },
  };
}
