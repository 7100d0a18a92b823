/**
 * Resume after a crash: a group of slow tasks runs in a child process, checkpointed to the
 * filesystem backend after every run; the child is killed with SIGKILL part way (no chance to
 * clean up), then this process loads the state and runs the same program again. The tasks whose
 * runs had finished before the kill are replayed from the store instead of being done again.
 *
 *   npx tsx examples/resume-after-crash.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ExecutionState, FileSystemStateBackend, Tool } from '../src/index.js';

const TASKS = 10;
const STATE_ID = 'thumbnails';

/** The program: render one thumbnail per image, 4 at a time; each takes 200 to 400 ms. */
async function program(state: ExecutionState, rendered: number[]) {
  const render = new Tool({
    name: 'RenderThumbnail',
    description: 'Renders the thumbnail of one image (slow)',
    inputSchema: z.object({ image: z.number() }),
    retry: { enabled: false },
    handler: async ({ image }, _context, state) => {
      rendered.push(image);
      await sleep(200 + (image % 3) * 100, state.signal);
      return { image, file: `thumb-${image}.png` };
    },
  });
  return state.parallel({ name: 'Thumbnails', maxWorkers: 4 }, (p) => {
    for (let image = 0; image < TASKS; image++) {
      p.add(async () => {
        const result = await state.run(render, { image });
        // Printed once the run's promise resolved, that is once it is checkpointed.
        if (process.argv[2] === 'child') console.log(`finished ${image}`);
        return result;
      });
    }
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), {
      once: true,
    });
  });
}

if (process.argv[2] === 'child') {
  // The child: a fresh state, checkpointed to the directory the parent gave, until it is killed.
  const stateBackend = new FileSystemStateBackend({ dir: process.argv[3] as string });
  const state = new ExecutionState({ stateId: STATE_ID, stateBackend });
  await program(state, []);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'rh-agents-resume-'));
  try {
    // 1. Run the program in a child process and kill it with SIGKILL once 4 tasks finished.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', dir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const finished: number[] = [];
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) finished.push(Number(line.replace('finished ', '')));
        if (finished.length >= 4 && child.exitCode === null) child.kill('SIGKILL');
      });
      child.on('exit', (code, signal) =>
        signal === 'SIGKILL' ? resolve() : reject(new Error(`the child exited with ${code}`)),
      );
    });
    console.log(`child: ${finished.length} of ${TASKS} thumbnails finished, then kill -9`);

    // 2. A fresh process (this one) loads the state and runs the same program again.
    const stateBackend = new FileSystemStateBackend({ dir });
    const state = await ExecutionState.load(STATE_ID, { stateBackend });
    let recovered = 0;
    state.eventBus.subscribe((event) => {
      if (event.kind === 'execution' && event.status === 'recovered') recovered++;
    });
    const rendered: number[] = [];
    const results = await program(state, rendered);
    const ok = results.filter((r) => r.ok).length;
    console.log(`resumed: ${ok} of ${TASKS} thumbnails, state ${state.status}`);
    console.log(`replayed from the store: ${recovered} (not rendered again)`);
    console.log(`rendered again: ${rendered.length} (those in flight or not started at the kill)`);
    const redone = finished.filter((image) => rendered.includes(image));
    console.log(`finished before the kill and rendered again: ${redone.length}`);
    await stateBackend.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
