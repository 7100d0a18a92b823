/**
 * Checks the ```ts code blocks of the documentation against the package source: every block
 * type-checks (one TypeScript Program holds every snippet, so the whole check stays fast), and the
 * blocks that need no network run with tsx in a child process and must exit with code 0 and
 * write nothing to stderr.
 *
 * Fence flags (after `ts`):
 * - `continued`: the block builds on the block before it on the same page; it is checked (and
 *   run) together with that block and every block that one continues, concatenated as one module,
 *   so it must not redeclare their names.
 * - `norun`: type-checked, never run (it needs the network or takes long). A chain runs only up
 *   to its first `norun` block. `<!-- snippets: norun -->` on a line of its own makes every
 *   block of the page norun.
 * - `nocheck`: neither checked nor run; the page says why.
 *
 * `rh-agents` resolves to `src/index.ts` and `rh-agents/<sub>` to `src/<sub>/index.ts`, for the
 * type check (compiler `paths`) and for the runs (module hooks in `run-hooks.mjs`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/** A Markdown page: its path relative to the repository (used in messages) and its text. */
export interface Page {
  file: string;
  text: string;
}

/** One ```ts block of a page. */
export interface Block {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  flags: ReadonlySet<string>;
}

/** Blocks checked together as one module: a block and the `continued` blocks that follow it. */
export interface Snippet {
  /** `file:line` of its first block, unique. */
  id: string;
  file: string;
  blocks: Block[];
  /** The blocks that run: the chain up to its first `norun` block (empty: it does not run). */
  runnable: Block[];
}

/** Something wrong with a snippet, located at a line of a page. */
export interface Failure {
  file: string;
  line: number;
  message: string;
}

export const formatFailure = (f: Failure): string => `${f.file}:${f.line}: ${f.message}`;

const LANGS = new Set(['ts', 'typescript']);
const FLAGS = new Set(['continued', 'norun', 'nocheck']);
const PAGE_NORUN = /^\s*<!--\s*snippets:\s*norun\b/m;

/** The ```ts blocks of a page, and any fence whose flags make no sense. */
export function extractBlocks(page: Page): { blocks: Block[]; failures: Failure[] } {
  const blocks: Block[] = [];
  const failures: Failure[] = [];
  const lines = page.text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    // A fence may be indented (in a list item) or quoted (in a blockquote: `> ```ts`).
    const open = /^((?:\s*>)*\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i] as string);
    if (!open) continue;
    const [, indent = '', fence = '', info = ''] = open;
    const close = new RegExp(
      `^(?:\\s*>)*\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`,
    );
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j] as string)) {
      const text = lines[j] as string;
      if (text.startsWith(indent)) body.push(text.slice(indent.length));
      else if (text.trim() === indent.trim()) body.push('');
      else body.push(text.trimStart());
      j++;
    }
    const [lang = '', ...words] = info.trim().split(/\s+/);
    if (LANGS.has(lang)) {
      const unknown = words.filter((word) => !FLAGS.has(word));
      if (unknown.length > 0) {
        failures.push({
          file: page.file,
          line: i + 1,
          message: `unknown fence flag ${unknown.map((w) => `'${w}'`).join(', ')}; the flags are continued, norun and nocheck.`,
        });
      }
      blocks.push({ file: page.file, line: i + 1, code: body.join('\n'), flags: new Set(words) });
    }
    i = j;
  }
  return { blocks, failures };
}

/** Groups each page's blocks into snippets (a block and the `continued` blocks after it). */
export function collectSnippets(pages: readonly Page[]): {
  snippets: Snippet[];
  failures: Failure[];
} {
  const snippets: Snippet[] = [];
  const failures: Failure[] = [];
  for (const page of pages) {
    const extracted = extractBlocks(page);
    failures.push(...extracted.failures);
    const pageNorun = PAGE_NORUN.test(page.text);
    const onPage: Snippet[] = [];
    let current: Snippet | undefined;
    for (const block of extracted.blocks) {
      if (block.flags.has('nocheck')) {
        if (block.flags.has('continued')) {
          failures.push({
            file: page.file,
            line: block.line,
            message: 'a `nocheck` block cannot be `continued`: it is not checked at all.',
          });
        }
        continue;
      }
      if (block.flags.has('continued')) {
        if (!current) {
          failures.push({
            file: page.file,
            line: block.line,
            message:
              'a `continued` block needs an earlier ts block on the same page to build on; remove the flag or move the block.',
          });
          continue;
        }
        current.blocks.push(block);
      } else {
        current = {
          id: `${page.file}:${block.line}`,
          file: page.file,
          blocks: [block],
          runnable: [],
        };
        onPage.push(current);
      }
    }
    for (const snippet of onPage) {
      const stop = snippet.blocks.findIndex((b) => pageNorun || b.flags.has('norun'));
      snippet.runnable = stop === -1 ? [...snippet.blocks] : snippet.blocks.slice(0, stop);
      snippets.push(snippet);
    }
  }
  return { snippets, failures };
}

/** The module a list of blocks makes, and where each of its lines comes from. */
function assemble(blocks: readonly Block[]): { code: string; origin: (line0: number) => Failure } {
  const starts: number[] = [];
  let line = 0;
  for (const block of blocks) {
    starts.push(line);
    line += block.code.split('\n').length;
  }
  return {
    code: blocks.map((b) => b.code).join('\n'),
    origin: (line0) => {
      let i = starts.length - 1;
      while (i > 0 && (starts[i] as number) > line0) i--;
      const block = blocks[i] as Block;
      return {
        file: block.file,
        line: block.line + 1 + (line0 - (starts[i] as number)),
        message: `(in the ts block at line ${block.line})`,
      };
    },
  };
}

/** Compiler options: the repository's tsconfig.json, with `rh-agents` mapped to the source. */
export function snippetCompilerOptions(root: string): ts.CompilerOptions {
  const configFile = join(root, 'tsconfig.json');
  const read = ts.readConfigFile(configFile, (path) => ts.sys.readFile(path));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configFile);
  return {
    ...parsed.options,
    noEmit: true,
    paths: {
      'rh-agents': [join(root, 'src/index.ts')],
      'rh-agents/*': [join(root, 'src/*/index.ts')],
    },
  };
}

/**
 * Type-checks every snippet in one Program. Each snippet is a virtual `.mts` file (an ES module,
 * top-level await allowed) in the repository root, so `zod` and the other dependencies resolve as
 * they do for a user. Returns every diagnostic, located at its page and line.
 */
export function typeCheckSnippets(snippets: readonly Snippet[], root: string): Failure[] {
  const options = snippetCompilerOptions(root);
  const virtual = new Map<string, { code: string; origin: (line0: number) => Failure }>();
  snippets.forEach((snippet, i) => {
    const name = snippet.file.replace(/[^A-Za-z0-9_-]+/g, '_');
    virtual.set(join(root, `__doc_snippet_${i}_${name}.mts`), assemble(snippet.blocks));
  });
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (path) => virtual.has(path) || fileExists.call(host, path);
  host.readFile = (path) => virtual.get(path)?.code ?? readFile.call(host, path);
  host.getSourceFile = (path, languageVersion, onError, shouldCreate) => {
    const entry = virtual.get(path);
    return entry
      ? ts.createSourceFile(path, entry.code, languageVersion, true)
      : getSourceFile.call(host, path, languageVersion, onError, shouldCreate);
  };
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  const failures: Failure[] = [];
  for (const d of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]) {
    failures.push({
      file: 'tsconfig.json',
      line: 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    });
  }
  for (const [path, entry] of virtual) {
    const sourceFile = program.getSourceFile(path) as ts.SourceFile;
    const diagnostics = [
      ...program.getSyntacticDiagnostics(sourceFile),
      ...program.getSemanticDiagnostics(sourceFile),
    ];
    for (const d of diagnostics) {
      const line0 =
        d.start === undefined ? 0 : sourceFile.getLineAndCharacterOfPosition(d.start).line;
      const where = entry.origin(line0);
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      failures.push({ ...where, message: `TS${d.code}: ${text} ${where.message}` });
    }
  }
  return failures;
}

export interface RunOptions {
  root: string;
  /** A fresh directory; each snippet runs in its own subdirectory of it. */
  tmpDir: string;
  /** The child process is killed after this long. */
  timeoutMs: number;
}

let runs = 0;

/**
 * Runs a snippet's runnable blocks as one module with tsx, in a child process whose working
 * directory is a fresh temporary one. It must exit with code 0 and write nothing to stderr (no
 * warning, no unhandled rejection). Stack-trace lines of the snippet are shown at their page line.
 */
export async function runSnippet(snippet: Snippet, options: RunOptions): Promise<Failure[]> {
  if (snippet.runnable.length === 0) return [];
  const { code, origin } = assemble(snippet.runnable);
  const dir = join(options.tmpDir, `snippet-${++runs}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'snippet.mts');
  writeFileSync(file, code);
  const require = createRequire(join(options.root, 'package.json'));
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const hooks = pathToFileURL(join(options.root, 'test/docs/run-hooks.mjs')).href;
  const register = `data:text/javascript,${encodeURIComponent(
    `import { register } from 'node:module';
register(${JSON.stringify(hooks)}, { data: ${JSON.stringify({ root: options.root })} });`,
  )}`;
  const outcome = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
    error?: Error;
  }>((resolve) => {
    const child = spawn(process.execPath, ['--import', tsx, '--import', register, file], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => resolve({ code: null, signal: null, stderr, error }));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  const first = snippet.runnable[0] as Block;
  const blocks = `the ts block${snippet.runnable.length > 1 ? 's' : ''} at line${snippet.runnable.length > 1 ? 's' : ''} ${snippet.runnable.map((b) => b.line).join(', ')}`;
  // Show the snippet's own stack frames as page lines.
  const stderr = outcome.stderr.replace(
    new RegExp(`(?:file://)?${escapeRegExp(file)}:(\\d+)(?::\\d+)?`, 'g'),
    (_, line: string) => {
      const at = origin(Number(line) - 1);
      return `${at.file}:${at.line}`;
    },
  );
  const failures: Failure[] = [];
  if (outcome.error) {
    failures.push({
      file: first.file,
      line: first.line,
      message: `${blocks} could not start: ${outcome.error.message}`,
    });
  } else if (outcome.signal !== null) {
    failures.push({
      file: first.file,
      line: first.line,
      message: `${blocks} did not finish within ${options.timeoutMs} ms (killed with ${outcome.signal}); mark the block \`norun\` or make it finish quickly.${stderr ? `\n${stderr}` : ''}`,
    });
  } else if (outcome.code !== 0) {
    failures.push({
      file: first.file,
      line: first.line,
      message: `${blocks} exited with code ${outcome.code}:\n${stderr}`,
    });
  } else if (stderr !== '') {
    failures.push({
      file: first.file,
      line: first.line,
      message: `${blocks} wrote to stderr (a warning or an error):\n${stderr}`,
    });
  }
  return failures;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
