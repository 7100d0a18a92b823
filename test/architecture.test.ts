/**
 * The shape of the code, checked: the folders of `src/` form layers, and runtime imports only go
 * down them, so the composition root (`state/`) sits on top and the leaf utilities at the bottom.
 * The root entry loads no optional peer dependency: integrations that bring one have their own
 * subpath entry.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/**
 * What each folder may import at run time (besides itself). Type-only imports may also name the
 * public facade `state/execution-state.ts`, whose type is the `state` argument of every handler.
 */
const allowed: Record<string, readonly string[]> = {
  util: [],
  bus: ['util'],
  limits: ['util', 'core'],
  core: ['util', 'bus'],
  recovery: ['util', 'bus', 'core'],
  parallel: ['util', 'bus', 'core'],
  printers: ['util', 'bus'],
  state: ['util', 'bus', 'core', 'parallel', 'recovery', 'limits'],
  '.': ['util', 'bus', 'limits', 'core', 'recovery', 'parallel', 'printers', 'state'],
};
/** Integrations sit above everything and reach the runtime through the root entry. */
const integrations = ['ai', 'otel', 'live', 'bullmq', 'postgres', 'cli'];

/** Bare packages the root entry may load: its dependencies and required peers. */
const rootPackages = new Set(['zod']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

interface Import {
  specifier: string;
  typeOnly: boolean;
}

/** Static imports and re-exports, and dynamic `import()` calls with a literal specifier. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  const staticRe = /^(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gms;
  for (const m of text.matchAll(staticRe)) {
    found.push({ specifier: m[3] as string, typeOnly: m[2] !== undefined });
  }
  for (const m of text.matchAll(/^import\s+'([^']+)'/gm)) {
    found.push({ specifier: m[1] as string, typeOnly: false });
  }
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) {
    found.push({ specifier: m[1] as string, typeOnly: false });
  }
  return found;
}

function folderOf(file: string): string {
  const rel = relative(src, file);
  return rel.includes('/') ? (rel.split('/')[0] as string) : '.';
}

const files = sourceFiles(src);

describe('architecture', () => {
  it('every folder of src/ has a place in the layers', () => {
    const folders = new Set(files.map(folderOf));
    for (const folder of folders) {
      expect(
        folder in allowed || integrations.includes(folder),
        `src/${folder}/ is not in the layer map of test/architecture.test.ts`,
      ).toBe(true);
    }
  });

  it('runtime imports only go down the layers', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const { specifier, typeOnly } of importsOf(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
        const to = folderOf(target);
        if (to === from) continue;
        if (typeOnly && relative(src, target) === 'state/execution-state.ts') continue;
        const ok = integrations.includes(from)
          ? !integrations.includes(to) || relative(src, target).endsWith('index.ts')
          : (allowed[from] ?? []).includes(to);
        if (!ok) violations.push(`${relative(root, file)} imports ${specifier} (${from} -> ${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the root entry loads no optional peer dependency (only zod)', () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const { specifier, typeOnly } of importsOf(file)) {
        if (typeOnly) continue;
        if (specifier.startsWith('.')) {
          visit(resolve(dirname(file), specifier).replace(/\.js$/, '.ts'));
        } else if (!specifier.startsWith('node:')) {
          packages.add(
            specifier.startsWith('@')
              ? specifier.split('/').slice(0, 2).join('/')
              : (specifier.split('/')[0] as string),
          );
        }
      }
    };
    visit(join(src, 'index.ts'));
    expect([...packages].filter((p) => !rootPackages.has(p))).toEqual([]);
    // and none of the integration folders is reached from the root entry
    const reached = [...seen].map(folderOf);
    for (const integration of integrations) expect(reached).not.toContain(integration);
  });

  it('keeps files under about 400 lines', () => {
    const long = files
      .map((file) => [relative(root, file), readFileSync(file, 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > 420);
    expect(long).toEqual([]);
  });
});
