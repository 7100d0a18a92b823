/**
 * Every relative link in README.md and docs/*.md points at a file of the repository, and every
 * `#anchor` at a heading of the page it names (GitHub's slugs), so a renamed page or section
 * cannot leave a dead link behind.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pages = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, 'docs', name)),
];

/** The text outside code fences and inline code, where links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^]*?^\1/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const match of readFileSync(file, 'utf8')
    .replace(/^(```|~~~)[^]*?^\1/gm, '')
    .matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const base = slug(match[1] as string);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

describe('links in the documentation', () => {
  it('computes GitHub anchors', () => {
    expect(slug('`FileSystemStateBackend` options')).toBe('filesystemstatebackend-options');
    expect(slug('Checkpoints, replay and resume')).toBe('checkpoints-replay-and-resume');
  });

  it.each(pages.map((page) => [relative(root, page), page]))(
    '%s links only to files and headings that exist',
    (_name, page) => {
      const dead: string[] = [];
      for (const match of prose(readFileSync(page, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] as string;
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
        const [path = '', anchor] = target.split('#');
        const file = path === '' ? page : resolve(dirname(page), path);
        if (!existsSync(file)) {
          dead.push(`${target} (no such file)`);
          continue;
        }
        if (anchor !== undefined && statSync(file).isFile() && file.endsWith('.md')) {
          if (!anchorsOf(file).has(anchor)) dead.push(`${target} (no such heading)`);
        }
      }
      expect(dead).toEqual([]);
    },
  );
});
