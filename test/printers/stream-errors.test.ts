/**
 * A printer whose stream fails (`node app.js | head` closes the pipe: EPIPE) stops writing to it,
 * and the process does not crash, whether or not the application listens for `'error'` itself.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EventPrinter, ParallelDisplayMode, ParallelEventPrinter } from '../../src/index.js';
import { GroupSim, record } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/print-into-closed-pipe.ts', import.meta.url));

/** Runs the fixture with its stdout piped into a reader that closes after the first line. */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('\n')) child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a real pipe whose reader closes early (EPIPE)', () => {
  it.each([
    ['EventPrinter, nobody listening for errors', []],
    ['EventPrinter, the application listening for errors', ['--listen']],
    ['realtime mode', ['--mode=realtime']],
    ['progress mode', ['--mode=progress', '--listen']],
  ])(
    '%s: exits 0 and stops writing',
    async (_name, args) => {
      const { code, stderr } = await runIntoClosedPipe(args);
      expect(stderr).toMatch(/^done writes=\d+ after-error=0\n$/);
      expect(code).toBe(0);
      // A child process compiling TypeScript on start: generous, for a loaded machine.
    },
    60_000,
  );
});

/**
 * A stream that fails every write the way a closed pipe does: through `'error'`, not a throw.
 * `writes` records every call of `write`, including those the stream refuses once errored.
 */
function failingWritable(): { stream: Writable; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(_chunk: Buffer, _encoding, callback) {
      callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string) => {
    writes.push(chunk);
    return write(chunk);
  }) as typeof stream.write;
  return { stream, writes };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('a Writable that errors', () => {
  it('EventPrinter stops writing after the error, with nobody listening', async () => {
    const { stream, writes } = failingWritable();
    const printer = new EventPrinter({ stream, color: false });
    printer.handle(record('A::tool_call', 'started'));
    await tick();
    printer.handle(record('A::tool_call', 'completed', { executionTimeMs: 1 }));
    printer.handle(record('B::tool_call', 'started'));
    printer.printSummary();
    await tick();
    expect(writes).toEqual(['▶ A tool_call started\n']);
    expect(printer.summary().completed).toBe(1);
  });

  it('leaves the application its own error listener', async () => {
    const { stream, writes } = failingWritable();
    const seen: unknown[] = [];
    stream.on('error', (error) => seen.push(error));
    const printer = new EventPrinter({ stream, color: false });
    printer.handle(record('A::tool_call', 'started'));
    await tick();
    printer.handle(record('A::tool_call', 'completed', { executionTimeMs: 1 }));
    await tick();
    expect(writes).toHaveLength(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ code: 'EPIPE' });
  });

  it('adds one listener per stream, however many printers share it', () => {
    const { stream } = failingWritable();
    const before = stream.listenerCount('error');
    for (let i = 0; i < 20; i++) new EventPrinter({ stream });
    expect(stream.listenerCount('error')).toBe(before + 1);
  });

  it('writes nothing to a stream that already ended', () => {
    const { stream, writes } = failingWritable();
    stream.end();
    const printer = new EventPrinter({ stream, color: false });
    printer.handle(record('A::tool_call', 'started'));
    expect(writes).toEqual([]);
  });

  it.each(Object.values(ParallelDisplayMode))(
    'ParallelEventPrinter in %s mode stops writing after the error',
    async (mode) => {
      for (const isTTY of [false, true]) {
        const { stream, writes } = failingWritable();
        Object.assign(stream, { isTTY, columns: 80, rows: 24 });
        const printer = new ParallelEventPrinter({ mode, stream, color: false, throttleMs: 0 });
        printer.handle(record('Solo::tool_call', 'completed', { executionTimeMs: 1 }));
        await tick();
        const sim = new GroupSim('Docs', 3);
        printer.handle(sim.start());
        for (let i = 0; i < 3; i++) printer.handle(sim.task(i, i === 1 ? 'failed' : 'completed'));
        printer.handle(sim.end());
        printer.flush();
        printer.printSummary();
        await new Promise((resolve) => setTimeout(resolve, 5));
        printer.close();
        expect(writes).toHaveLength(1);
      }
    },
  );
});
