/**
 * What a user installs: the built package resolves from ESM and from CommonJS (`require(esm)`,
 * Node 20.19+), ships its licence, and its source maps point at files that are shipped too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let project: string;
let packed: Set<string>;

beforeAll(() => {
  // A fresh build, as `npm run build` makes it (stale files of an older layout removed).
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root });
  const listing = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
  });
  packed = new Set(
    (JSON.parse(listing) as [{ files: { path: string }[] }])[0].files.map((f) => f.path),
  );
  // A project that installed the package (a symlink stands in for the install).
  project = mkdtempSync(join(tmpdir(), 'rh-agents-package-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(root, join(project, 'node_modules', 'rh-agents'), 'dir');
}, 60_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, args, {
    cwd: project,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('the package', () => {
  it('loads with import from an ES module', () => {
    const out = node([
      '--input-type=module',
      '-e',
      "const m = await import('rh-agents'); console.log(typeof m.ExecutionState, typeof m.Tool);",
    ]);
    expect(out).toMatchObject({ status: 0, stdout: 'function function\n' });
  });

  it('loads with require() from CommonJS on this Node (20.19+), without warnings', () => {
    const out = node([
      '--input-type=commonjs',
      '-e',
      "const { ExecutionState } = require('rh-agents'); console.log(new ExecutionState().stateId.length);",
    ]);
    expect(out).toEqual({ status: 0, stdout: '36\n', stderr: '' });
  });

  it('resolves the rh-agents/otel subpath from an ES module', () => {
    const out = node([
      '--input-type=module',
      '-e',
      "const { otelTracing } = await import('rh-agents/otel'); const { ExecutionState } = await import('rh-agents'); const s = new ExecutionState({ tracing: otelTracing() }); const r = await s.parallel({}, (p) => { p.add(() => 1); }); console.log(r[0].result);",
    ]);
    expect(out).toEqual({ status: 0, stdout: '1\n', stderr: '' });
  });

  it('ships its licence', () => {
    expect(packed.has('LICENSE')).toBe(true);
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('ships every file its source maps point at', () => {
    const maps = [...packed].filter((path) => path.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(root, map), 'utf8')) as {
        sources: string[];
      };
      for (const source of sources) {
        const target = join(dirname(map), source);
        if (!packed.has(target)) missing.push(`${map} -> ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('installs the rh-agents command: npx rh-agents runs the built command line', () => {
    expect(packed.has('bin/rh-agents.js')).toBe(true);
    expect(packed.has('dist/cli/bin.js')).toBe(true);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      version: string;
      bin: unknown;
    };
    expect(pkg.bin).toEqual({ 'rh-agents': './bin/rh-agents.js' });
    // As npm links a bin on install: node_modules/.bin/rh-agents -> ../rh-agents/bin/rh-agents.js.
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(
      '../rh-agents/bin/rh-agents.js',
      join(project, 'node_modules', '.bin', 'rh-agents'),
    );
    writeFileSync(join(project, 'package.json'), '{ "name": "consumer", "private": true }\n');
    const npx = spawnSync('npx', ['--no', '--', 'rh-agents', '--version'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: npx.status, stdout: npx.stdout }).toEqual({
      status: 0,
      stdout: `${pkg.version}\n`,
    });
    // The file itself is executable: its shebang runs it.
    const direct = spawnSync(join(project, 'node_modules', '.bin', 'rh-agents'), ['states'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(direct.status).toBe(2);
    expect(direct.stderr).toMatch(/^rh-agents: 'rh-agents states' needs the store of states/);
  }, 90_000);

  it('ships no tests', () => {
    expect(
      [...packed].filter((path) => path.startsWith('test/') || path.includes('.test.')),
    ).toEqual([]);
  });
});
