/**
 * The docs cannot drift from the code: every ```ts block of README.md and of every docs/**\/*.md
 * type-checks against the package source, and the blocks that need no network run (tsx, a child
 * process, a temporary directory) and exit with code 0 without writing to stderr. The rules and
 * the fence flags (`continued`, `norun`, `nocheck`) are in snippet-checker.ts and docs/README.md.
 * A self-test feeds deliberately wrong snippets through the same checker and expects each failure.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Failure,
  type Page,
  collectSnippets,
  formatFailure,
  runSnippet,
  typeCheckSnippets,
} from './snippet-checker.js';
import { startingNow } from '../helpers/concurrency-limit.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUN_TIMEOUT_MS = 30_000;

/** README.md and every Markdown file under docs/, found by walking the folder. */
function discoverPages(): Page[] {
  const files = [
    'README.md',
    ...readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.md'))
      .map((file) => join('docs', file).split('\\').join('/'))
      .sort(),
  ];
  return files.map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') }));
}

/** Pages made to fail: each wrong block must be reported at its own page and line. */
const selfTestPages: Page[] = [
  {
    file: 'self-test/undeclared.md',
    text: [
      '# A snippet using a name it never declared', // line 1
      '',
      '```ts',
      "import { ExecutionState } from 'rh-agents';",
      'const state = new ExecutionState();',
      "await state.run(fetchDoc, { id: '1' });", // line 6: fetchDoc is not declared
      '```',
    ].join('\n'),
  },
  {
    file: 'self-test/wrong-type.md',
    text: [
      '```ts',
      "import { ExecutionState } from 'rh-agents';",
      "new ExecutionState({ maxConcurrency: 'eight' });", // line 3: not a number
      '```',
    ].join('\n'),
  },
  {
    file: 'self-test/continued.md',
    text: [
      '```ts',
      "import { ExecutionState } from 'rh-agents';",
      'const state = new ExecutionState();',
      '```',
      '',
      'This one builds on the first and is fine:',
      '',
      '```ts continued',
      'state.log("fine");', // line 9
      '```',
      '',
      'This one redeclares `state`:',
      '',
      '```ts continued',
      'const state = 1;', // line 15
      '```',
    ].join('\n'),
  },
  {
    file: 'self-test/structure.md',
    text: [
      '```ts continued', // line 1: nothing to continue
      'export {};',
      '```',
      '',
      '```ts contineud', // line 5: a typo in the flag
      'export {};',
      '```',
      '',
      '```ts',
      "import { Nothing } from 'rh-agents/no-such-subpath';", // line 10
      'console.log(Nothing);',
      '```',
    ].join('\n'),
  },
  {
    file: 'self-test/indented.md',
    text: [
      '- a list item with a block:',
      '',
      '  ```ts',
      "  import { ExecutionState } from 'rh-agents';",
      '  const n: number = new ExecutionState().stateId;', // line 5: a string, not a number
      '  ```',
      '',
      '> ```ts',
      '> const s: string = 42;', // line 9
      '> ```',
    ].join('\n'),
  },
];

const realPages = discoverPages();
const { snippets, failures: structureFailures } = collectSnippets([...realPages, ...selfTestPages]);
const failuresOf = (failures: readonly Failure[], file: string): string[] =>
  failures.filter((f) => f.file === file).map(formatFailure);

const tmpDir = mkdtempSync(join(tmpdir(), 'rh-agents-snippets-'));
afterAll(() => rmSync(tmpDir, { recursive: true, force: true }));

// The runs start at collection time, before the type check, two child processes at a time, so the whole set takes about
// as long as its share of the machine; each test then awaits its own.
const limit = startingNow(2);
const runOptions = { root, tmpDir, timeoutMs: RUN_TIMEOUT_MS };
const realSnippets = snippets.filter((s) => !s.file.startsWith('self-test/'));
const runnable = realSnippets.filter((s) => s.runnable.length > 0);
const runs = new Map(runnable.map((s) => [s.id, limit(() => runSnippet(s, runOptions))]));

// One Program for every snippet of every page, self-test included (while the runs go on).
const typeFailures = typeCheckSnippets(snippets, root);

describe('documentation snippets', () => {
  it('finds README.md and the docs pages, with their ts blocks', () => {
    const files = realPages.map((p) => p.file);
    expect(files).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/README.md',
        'docs/actors.md',
        'docs/parallel-execution.md',
        'docs/retries.md',
        'docs/events.md',
        'docs/printers.md',
        'docs/errors.md',
        'docs/recipes.md',
        'docs/benchmarks.md',
        'docs/differences-from-the-original.md',
      ]),
    );
    const blocks = realSnippets.reduce((sum, s) => sum + s.blocks.length, 0);
    expect(blocks).toBeGreaterThanOrEqual(25);
    expect(runnable.length).toBeGreaterThanOrEqual(12);
  });

  it.each(realPages.map((p) => p.file))('%s: every ts block type-checks', (file) => {
    expect([...failuresOf(structureFailures, file), ...failuresOf(typeFailures, file)]).toEqual([]);
  });

  it('type-checks with the options of tsconfig.json', () => {
    expect(failuresOf(typeFailures, 'tsconfig.json')).toEqual([]);
  });

  it.each(runnable.map((s) => s.id))(
    '%s runs to completion without warnings',
    { timeout: 120_000 },
    async (id) => {
      const failures = await (runs.get(id) as Promise<Failure[]>);
      expect(failures.map(formatFailure)).toEqual([]);
    },
  );
});

describe('the snippet checker catches wrong snippets (self-test)', () => {
  it('reports an undeclared name at its page and line', () => {
    expect(failuresOf(typeFailures, 'self-test/undeclared.md')).toEqual([
      expect.stringMatching(/^self-test\/undeclared\.md:6: TS2304: Cannot find name 'fetchDoc'\./),
    ]);
  });

  it('reports a wrong type', () => {
    expect(failuresOf(typeFailures, 'self-test/wrong-type.md')).toEqual([
      expect.stringMatching(
        /^self-test\/wrong-type\.md:3: TS2322: Type 'string' is not assignable/,
      ),
    ]);
  });

  it('checks a continued block with the blocks before it, and refuses a redeclaration', () => {
    const failures = failuresOf(typeFailures, 'self-test/continued.md');
    expect(failures.length).toBeGreaterThan(0);
    // Only the redeclaring block is at fault (TypeScript names both declarations).
    for (const failure of failures) expect(failure).toMatch(/Cannot redeclare block-scoped/);
    expect(failures).toContainEqual(
      expect.stringMatching(/^self-test\/continued\.md:15: .*\(in the ts block at line 14\)$/),
    );
    expect(failures.some((f) => f.startsWith('self-test/continued.md:9:'))).toBe(false);
    const chain = snippets.filter((s) => s.file === 'self-test/continued.md');
    expect(chain.map((s) => s.blocks.map((b) => b.line))).toEqual([[1, 8, 14]]);
  });

  it('refuses a continued block with nothing before it, an unknown flag and a missing module', () => {
    expect(failuresOf(structureFailures, 'self-test/structure.md')).toEqual([
      expect.stringMatching(/^self-test\/structure\.md:5: unknown fence flag 'contineud'/),
      expect.stringMatching(/^self-test\/structure\.md:1: a `continued` block needs an earlier/),
    ]);
    expect(failuresOf(typeFailures, 'self-test/structure.md')).toEqual([
      expect.stringMatching(
        /^self-test\/structure\.md:10: TS2307: Cannot find module 'rh-agents\/no-such-subpath'/,
      ),
    ]);
  });

  it('reads blocks indented in a list and quoted in a blockquote', () => {
    expect(failuresOf(typeFailures, 'self-test/indented.md')).toEqual([
      expect.stringMatching(/^self-test\/indented\.md:5: TS2322: Type 'string' is not assignable/),
      expect.stringMatching(/^self-test\/indented\.md:9: TS2322: Type 'number' is not assignable/),
    ]);
  });

  it('runs a chain only up to its first norun block, and not at all on a norun page', () => {
    const { snippets: chains } = collectSnippets([
      {
        file: 'a.md',
        text: '```ts\nlet a = 1;\n```\n```ts continued\na++;\n```\n```ts continued norun\na++;\n```\n```ts continued\na++;\n```\n```ts nocheck\nnot even TypeScript\n```',
      },
      { file: 'b.md', text: '<!-- snippets: norun (needs a server) -->\n```ts\nexport {};\n```' },
      // Only the comment on a line of its own counts, not a mention of it in the prose.
      { file: 'c.md', text: 'Write `<!-- snippets: norun -->`.\n```ts\nexport {};\n```' },
    ]);
    expect(chains.map((s) => [s.id, s.blocks.length, s.runnable.map((b) => b.line)])).toEqual([
      ['a.md:1', 4, [1, 4]],
      ['b.md:2', 1, []],
      ['c.md:2', 1, [2]],
    ]);
  });

  it(
    'fails a snippet that throws, at the page line of the throw',
    { timeout: 60_000 },
    async () => {
      const [snippet] = collectSnippets([
        {
          file: 'self-test/throws.md',
          text: "```ts\nconst answer = 42;\n```\n\n```ts continued\nif (answer) throw new Error('the docs are wrong');\n```",
        },
      ]).snippets;
      const failures = (await runSnippet(snippet!, runOptions)).map(formatFailure);
      expect(failures).toEqual([
        expect.stringMatching(
          /^self-test\/throws\.md:1: the ts blocks at lines 1, 5 exited with code 1:[^]*the docs are wrong[^]*self-test\/throws\.md:6/,
        ),
      ]);
    },
  );

  it(
    'fails a snippet that writes a warning to stderr, or never ends',
    { timeout: 60_000 },
    async () => {
      const { snippets: wrong } = collectSnippets([
        { file: 'self-test/warns.md', text: "```ts\nprocess.emitWarning('careful');\n```" },
        { file: 'self-test/hangs.md', text: '```ts\nsetInterval(() => {}, 1_000);\n```' },
      ]);
      const [warns, hangs] = await Promise.all([
        runSnippet(wrong[0]!, runOptions),
        runSnippet(wrong[1]!, { ...runOptions, timeoutMs: 3_000 }),
      ]);
      expect(warns.map(formatFailure)).toEqual([
        expect.stringMatching(/^self-test\/warns\.md:1: .*wrote to stderr[^]*Warning: careful/),
      ]);
      expect(hangs.map(formatFailure)).toEqual([
        expect.stringMatching(/^self-test\/hangs\.md:1: .*did not finish within 3000 ms/),
      ]);
    },
  );
});
