/**
 * The two modes of `npm start` that `test/examples.test.ts` (which pipes it) does not cover:
 * with `OPENAI_BASE_URL` it talks to that server instead of its own simulated one, and on a
 * terminal it keeps the live view up after the run until Ctrl-C.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startSimulatedOpenAI } from '../../simulator/openai-server.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const demo = join(root, 'examples', 'demo.ts');
const TIMEOUT_MS = 60_000;

/** Collects a child's output; `waitFor` resolves with the output once it matches. */
function watch(child: ChildProcess) {
  let output = '';
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const waiter of waiters.splice(0)) waiter();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolveExit) =>
    child.on('close', (code) => resolveExit(code)),
  );
  return {
    exited,
    output: () => output,
    waitFor(pattern: RegExp): Promise<RegExpExecArray> {
      return new Promise((resolveMatch, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) return resolveMatch(match);
          waiters.push(check);
        };
        void exited.then(() =>
          reject(new Error(`the demo exited before printing ${pattern}:\n${output}`)),
        );
        check();
      });
    },
  };
}

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('npm start', () => {
  it(
    'talks to the server OPENAI_BASE_URL names, with OPENAI_API_KEY and RH_MODEL',
    { timeout: TIMEOUT_MS },
    async () => {
      await using server = await startSimulatedOpenAI({ apiKey: 'sk-test', latencyMs: [20, 60] });
      const child = spawn(process.execPath, ['--import', 'tsx', demo], {
        cwd: root,
        env: {
          ...process.env,
          NO_COLOR: '1',
          OPENAI_BASE_URL: server.url,
          OPENAI_API_KEY: 'sk-test',
          RH_MODEL: 'test-model',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const run = watch(child);
      expect(await run.exited, run.output()).toBe(0);
      const output = run.output();
      expect(output).toContain(`Model: test-model at ${server.url} (a real model`);
      expect(output).not.toContain('simulated');
      expect(output).toMatch(/resumed: \d+ runs replayed from the store/);
      expect(output).toContain('Brief (written by the model):');
      // Every request reached this server, with the key and the model asked for: 3 researchers
      // of 2 model steps, 12 summaries and the brief, some of them sent again after the resume.
      expect(server.requests.length).toBeGreaterThanOrEqual(19);
      expect(new Set(server.requests.map((r) => r.body.model))).toEqual(new Set(['test-model']));
      expect(server.stats().byStatus[401]).toBeUndefined();
      const toolSteps = server.requests.filter((r) => (r.body.tools?.length ?? 0) > 0);
      expect(toolSteps.length).toBeGreaterThanOrEqual(6);
    },
  );

  it.skipIf(!hasScript)(
    'on a terminal keeps the live view up after the run, until Ctrl-C',
    { timeout: TIMEOUT_MS },
    async () => {
      // `script` runs the demo on a pseudo-terminal; a Ctrl-C written to it becomes a SIGINT for
      // the terminal's foreground processes. `exec` leaves the demo alone there: a shell between
      // `script` and the demo would die of that SIGINT itself (exit 130) however the demo handles it.
      const command = `exec ${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(demo)}`;
      const child = spawn('script', ['-qefc', command, '/dev/null'], {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const run = watch(child);
      try {
        const [, url] = await run.waitFor(
          /Live view: (http:\/\/127\.0\.0\.1:\d+\/) stays up[^]*?press\s+Ctrl-C/,
        );
        const stateId = (await run.waitFor(/state (demo-\d{14}-[0-9a-f]{4}) \(completed\)/))[1];
        await new Promise((r) => setTimeout(r, 300));
        expect(child.exitCode).toBeNull();
        const page = await fetch(url as string);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('rh-agents demo');
        const { states } = (await (await fetch(`${url}api/states`)).json()) as {
          states: { stateId: string }[];
        };
        expect(states.map((s) => s.stateId)).toContain(stateId);
        // The stored state: both passes, the interrupted runs of the first and the rest.
        const stored = (await (await fetch(`${url}api/states/${stateId}`)).json()) as {
          status: string;
          history: { status: string; actor: { name: string } }[];
        };
        expect(stored.status).toBe('completed');
        const ends = (name: string, status: string) =>
          stored.history.filter((r) => r.actor.name === name && r.status === status).length;
        expect(ends('Summarize', 'completed')).toBe(12);
        expect(ends('Summarize', 'interrupted')).toBeGreaterThan(0);
        expect(ends('Writer', 'completed')).toBe(1);

        child.stdin?.write('\x03');
        expect(await run.exited).toBe(0);
        await expect(fetch(url as string)).rejects.toThrow();
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );
});
