/**
 * The simulated OpenAI-compatible server in a process of its own, so that the client under test
 * and the server do not share one event loop (a real provider is elsewhere too). Options come as
 * JSON in argv[2]; it prints `{"url": …}` once it listens, answers each `stats` line on stdin with
 * the server's stats as one JSON line, and exits when stdin closes.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  type SimulatedOpenAIOptions,
  type SimulatedOpenAIStats,
  startSimulatedOpenAI,
} from '../simulator/openai-server.js';

export interface SimulatorProcess {
  url: string;
  stats(): Promise<SimulatedOpenAIStats>;
  close(): Promise<void>;
}

/** Starts the simulator in a child process (tsx) and resolves once it listens. */
export function startSimulatorProcess(options: SimulatedOpenAIOptions): Promise<SimulatorProcess> {
  const file = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', file, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the simulator process exited with ${code}`)));
    void next().then((line) => {
      const { url } = JSON.parse(line) as { url: string };
      resolve({
        url,
        stats: async () => {
          const reply = next();
          child.stdin.write('stats\n');
          return JSON.parse(await reply) as SimulatedOpenAIStats;
        },
        close: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.stdin.end();
          }),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startSimulatedOpenAI(JSON.parse(process.argv[2] ?? '{}'));
  console.log(JSON.stringify({ url: server.url }));
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line.trim() === 'stats') console.log(JSON.stringify(server.stats()));
  });
  input.on('close', () => void server.close());
}
