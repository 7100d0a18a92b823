/**
 * `rh-agents states <store>`: the real bin in a child process, against a directory written by a
 * FileSystemStateBackend and a file written by a SqliteStateBackend.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FileSystemStateBackend } from '../../src/index.js';
import { bin, root, runBin, useStores, snapshot, tempDir } from './helpers.js';

// Each test spawns processes; on a busy 2-core machine one takes 1 to 3 s.
vi.setConfig({ testTimeout: 90_000 });
const stores = useStores();

describe.each(['directory', 'sqlite'])('rh-agents states on a %s', (kind) => {
  it('lists the states, newest first: id, pipeline, status, tags, updated time', () => {
    const out = runBin(['states', stores[kind]!]);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toBe(
      [
        'STATE     PIPELINE  STATUS     TAGS         UPDATED',
        'report-1  reports   completed  nightly, eu  2023-11-14 22:18:20',
        'crawl_2   crawl     failed     nightly      2023-11-14 22:16:40',
        'adhoc-3   -         running    -            2023-11-14 22:15:00',
        '',
      ].join('\n'),
    );
  });

  it('filters by --tag and --pipeline, and says so when nothing matches', () => {
    const tagged = runBin(['states', stores[kind]!, '--tag', 'nightly']);
    expect(tagged.status).toBe(0);
    expect(tagged.stdout.split('\n').map((line) => line.split(' ')[0])).toEqual([
      'STATE',
      'report-1',
      'crawl_2',
      '',
    ]);
    const both = runBin(['states', '--pipeline', 'crawl', stores[kind]!, '--tag=nightly']);
    expect(both.stdout.split('\n')[1]).toMatch(
      /^crawl_2 +crawl +failed +nightly +2023-11-14 22:16:40$/,
    );
    expect(both.stdout.split('\n')).toHaveLength(3);
    const none = runBin(['states', stores[kind]!, '--tag', 'weekly', '--pipeline', 'crawl']);
    expect(none.status).toBe(0);
    expect(none.stdout).toBe(
      `No states with tag 'weekly' of pipeline 'crawl' in ${stores[kind]!}.\n`,
    );
  });

  it('prints the states as JSON with --json, the same fields in the same order for every store', () => {
    const out = runBin(['states', stores[kind]!, '--json', '--tag', 'nightly']);
    expect(out.status).toBe(0);
    const states = JSON.parse(out.stdout) as Record<string, unknown>[];
    expect(states).toEqual([
      {
        stateId: 'report-1',
        pipeline: 'reports',
        tags: ['nightly', 'eu'],
        status: 'completed',
        createdAt: 1_700_000_240_000,
        updatedAt: 1_700_000_300_000,
      },
      {
        stateId: 'crawl_2',
        pipeline: 'crawl',
        tags: ['nightly'],
        status: 'failed',
        createdAt: 1_700_000_140_000,
        updatedAt: 1_700_000_200_000,
      },
    ]);
    expect(Object.keys(states[0]!)).toEqual([
      'stateId',
      'pipeline',
      'tags',
      'status',
      'createdAt',
      'updatedAt',
    ]);
    expect(JSON.parse(runBin(['states', stores[kind]!, '--json', '--tag', 'x']).stdout)).toEqual(
      [],
    );
  });
});

describe('rh-agents states into a pipe', () => {
  it('ends quietly with status 0 when the reader closes early (| head)', async () => {
    const dir = join(tempDir(), 'many');
    const backend = new FileSystemStateBackend({ dir, fsync: false });
    // About 90 KB of table: more than a pipe holds, so the command is still writing when the reader goes.
    for (let i = 0; i < 1_500; i++) {
      await backend.save(
        snapshot(`state-${i}`, 1_700_000_000_000 + i, { pipeline: 'p', tags: ['a'] }),
      );
    }
    await backend.close();
    try {
      const tsx = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
      const child = spawn(process.execPath, ['--import', tsx, bin, 'states', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const first = await new Promise<string>((resolve) =>
        child.stdout.once('data', (chunk: Buffer) => {
          child.stdout.destroy();
          resolve(chunk.toString('utf8'));
        }),
      );
      const code = await new Promise((resolve) => child.once('exit', resolve));
      expect(first).toMatch(/^STATE +PIPELINE/);
      expect(stderr).toBe('');
      expect(code).toBe(0);
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });
});
