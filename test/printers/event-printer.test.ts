import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EventPrinter, ExecutionState, Tool, Agent } from '../../src/index.js';
import type { BusEvent } from '../../src/index.js';
import { FakeStream, record, throwingStream } from './helpers.js';

function printer(options: { detail?: boolean; slowest?: number } = {}) {
  const stream = new FakeStream();
  return { stream, printer: new EventPrinter({ stream, color: false, ...options }) };
}

describe('EventPrinter: the tree', () => {
  it('indents by address depth and shows symbols, timings and messages', () => {
    const { stream, printer: p } = printer();
    const events: BusEvent[] = [
      record('Pipeline::agent_call', 'started'),
      record('Pipeline::FetchDoc::tool_call', 'started'),
      record('Pipeline::FetchDoc::tool_call', 'completed', { executionTimeMs: 120 }),
      record('Pipeline::Flaky::tool_call', 'started', { tag: 'net' }),
      record('Pipeline::Flaky::tool_call', 'retrying', {
        executionTimeMs: 3,
        message: 'Attempt 1 of 3 failed: boom; retrying in 1000 ms.',
      }),
      record('Pipeline::Flaky::tool_call', 'failed', {
        executionTimeMs: 3_200,
        message: 'boom (after 3 attempts)',
        retryAttempt: 3,
      }),
      record('Pipeline::Docs[3]::FetchDoc::tool_call', 'completed', { executionTimeMs: 80 }),
      record('Pipeline::Slow::tool_call', 'cancelled', { executionTimeMs: 5, message: 'stop' }),
      record('Pipeline::Old::tool_call', 'recovered', { executionTimeMs: 0.2 }),
      record('Pipeline::Wait::tool_call', 'awaiting'),
      {
        kind: 'log',
        message: 'fetched 3 docs\nsecond line',
        severity: 'info',
        metadata: { n: 3 },
        address: 'Pipeline::agent_call',
        groupId: undefined,
        parallelIndex: undefined,
        isParallel: false,
        timestamp: 100,
        stateId: 's',
      },
      {
        kind: 'log',
        message: 'careful',
        severity: 'warning',
        metadata: {},
        address: undefined,
        groupId: undefined,
        parallelIndex: undefined,
        isParallel: false,
        timestamp: 100,
        stateId: 's',
      },
      {
        kind: 'log',
        message: 'bad',
        severity: 'error',
        metadata: undefined,
        address: undefined,
        groupId: undefined,
        parallelIndex: undefined,
        isParallel: false,
        timestamp: 100,
        stateId: 's',
      },
      {
        kind: 'log',
        message: 'noise',
        severity: 'debug',
        metadata: undefined,
        address: undefined,
        groupId: undefined,
        parallelIndex: undefined,
        isParallel: false,
        timestamp: 100,
        stateId: 's',
      },
      {
        kind: 'interrupt',
        reason: 'user pressed Ctrl-C',
        source: 'request',
        timestamp: 100,
        stateId: 's',
      },
      record('Pipeline::agent_call', 'interrupted', {
        executionTimeMs: 3_500,
        message: 'interrupted',
      }),
    ];
    for (const event of events) p.handle(event);
    expect(stream.lines).toEqual([
      '▶ Pipeline agent_call started',
      '  ▶ FetchDoc tool_call started',
      '  ✔ FetchDoc tool_call completed 120 ms',
      '  ▶ Flaky tool_call started (net)',
      '  ↻ Flaky tool_call retrying: Attempt 1 of 3 failed: boom; retrying in 1000 ms.',
      '  ✖ Flaky tool_call failed 3.20 s: boom (after 3 attempts)',
      '    ✔ Docs[3] FetchDoc tool_call completed 80 ms',
      '  ⊘ Slow tool_call cancelled 5 ms: stop',
      '  ↺ Old tool_call recovered <1 ms',
      '  ◌ Wait tool_call awaiting',
      '  • [info] fetched 3 docs⏎second line {"n":3}',
      '• [warning] careful',
      '• [error] bad',
      '• [debug] noise',
      '⊘ Interrupted (request): user pressed Ctrl-C',
      '⊘ Pipeline agent_call interrupted 3.50 s: interrupted',
    ]);
  });

  it('ignores group events and shows details on request', () => {
    const { stream, printer: p } = printer({ detail: true });
    p.handle({
      kind: 'group',
      type: 'started',
      groupId: 'G',
      name: 'G',
      status: 'running',
      total: 1,
      started: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      running: 0,
      maxWorkers: 5,
      parentGroupId: undefined,
      depth: 0,
      durationMs: undefined,
      timestamp: 1,
      stateId: 's',
    });
    p.handle(record('T::tool_call', 'started', { detail: '{"id":"7"}' }));
    p.handle(record('T::tool_call', 'completed', { detail: '{"ok":true}', executionTimeMs: 2 }));
    expect(stream.lines).toEqual([
      '▶ T tool_call started → {"id":"7"}',
      '✔ T tool_call completed 2 ms → {"ok":true}',
    ]);
  });

  it('is usable as a function through printer.handle', () => {
    const { stream, printer: p } = printer();
    const handle = p.handle;
    handle(record('T::tool_call', 'started'));
    expect(stream.lines).toEqual(['▶ T tool_call started']);
  });

  it('colours statuses when colour is on', () => {
    const stream = new FakeStream();
    const p = new EventPrinter({ stream, color: true });
    p.handle(record('T::tool_call', 'failed', { message: 'x', executionTimeMs: 1 }));
    expect(stream.text).toContain('\u001b[31m✖');
  });
});

describe('EventPrinter: the summary', () => {
  it('counts runs by outcome, retries, total time and the slowest runs', () => {
    const { stream, printer: p } = printer({ slowest: 2 });
    const at = (timestamp: number) => ({ timestamp });
    p.handle(record('A::tool_call', 'started', at(1_000)));
    p.handle(record('A::tool_call', 'retrying', at(1_010)));
    p.handle(record('A::tool_call', 'retrying', at(1_020)));
    p.handle(record('A::tool_call', 'completed', { ...at(1_100), executionTimeMs: 100 }));
    p.handle(record('B::tool_call', 'failed', { ...at(1_200), executionTimeMs: 300 }));
    p.handle(record('C::tool_call', 'completed', { ...at(1_300), executionTimeMs: 50 }));
    p.handle(record('D::tool_call', 'cancelled', { ...at(1_400), executionTimeMs: 200 }));
    p.handle(record('E::tool_call', 'interrupted', { ...at(1_500), executionTimeMs: undefined }));
    p.handle(record('F::tool_call', 'recovered', { ...at(1_600), executionTimeMs: 1 }));
    p.handle({
      kind: 'log',
      message: 'w',
      severity: 'warning',
      metadata: undefined,
      address: undefined,
      groupId: undefined,
      parallelIndex: undefined,
      isParallel: false,
      timestamp: 1_700,
      stateId: 's',
    });
    p.handle({
      kind: 'log',
      message: 'e',
      severity: 'error',
      metadata: undefined,
      address: undefined,
      groupId: undefined,
      parallelIndex: undefined,
      isParallel: false,
      timestamp: 1_800,
      stateId: 's',
    });
    expect(p.summary()).toEqual({
      runs: 6,
      completed: 2,
      failed: 1,
      cancelled: 1,
      interrupted: 1,
      recovered: 1,
      retried: 1,
      retries: 2,
      logs: 2,
      warnings: 1,
      errors: 1,
      totalTimeMs: 800,
      slowest: [
        { address: 'B::tool_call', name: 'B', status: 'failed', executionTimeMs: 300 },
        { address: 'D::tool_call', name: 'D', status: 'cancelled', executionTimeMs: 200 },
      ],
      limits: [],
    });
    stream.chunks = [];
    p.printSummary();
    expect(stream.lines).toEqual([
      'Summary: 6 runs · 2 completed · 1 failed · 1 cancelled · 1 interrupted · 1 recovered · 1 retried (2 retries) · 1 warning, 1 error logged · total 800 ms',
      'Slowest:',
      '  300 ms  ✖ B::tool_call',
      '  200 ms  ⊘ D::tool_call',
    ]);
  });

  it('prints an empty summary before any event', () => {
    const { stream, printer: p } = printer({ slowest: 0 });
    p.printSummary();
    expect(p.summary().totalTimeMs).toBe(0);
    expect(stream.lines).toEqual(['Summary: 0 runs · 0 completed · total <1 ms']);
  });
});

describe('EventPrinter: never throws', () => {
  it('survives a stream whose write throws, and stops writing to it', () => {
    let calls = 0;
    const stream = {
      write() {
        calls++;
        throw new Error('EPIPE');
      },
    };
    const p = new EventPrinter({ stream });
    expect(() => p.handle(record('T::tool_call', 'started'))).not.toThrow();
    expect(() => p.handle(record('T::tool_call', 'completed'))).not.toThrow();
    expect(() => p.printSummary()).not.toThrow();
    expect(calls).toBe(1);
    expect(p.summary().completed).toBe(1);
  });

  it('survives malformed events', () => {
    const { printer: p } = printer();
    expect(() => p.handle(null as unknown as BusEvent)).not.toThrow();
    expect(() => p.handle({ kind: 'execution' } as unknown as BusEvent)).not.toThrow();
    expect(() => p.handle({ kind: 'nope' } as unknown as BusEvent)).not.toThrow();
  });

  it('does not break a real run', async () => {
    const state = new ExecutionState();
    state.eventBus.subscribe(new EventPrinter({ stream: throwingStream }));
    const tool = new Tool({ name: 'T', inputSchema: z.object({}), handler: () => 42 });
    const result = await state.run(tool, {});
    expect(result).toMatchObject({ ok: true, result: 42 });
  });
});

describe('EventPrinter: options', () => {
  it('refuses bad options with messages naming them', () => {
    expect(() => new EventPrinter(null as never)).toThrow(/expected an options object/);
    expect(() => new EventPrinter({ stream: {} as never })).toThrow(/`stream`.*write\(string\)/);
    expect(() => new EventPrinter({ color: 'yes' as never })).toThrow(/`color`/);
    expect(() => new EventPrinter({ detail: 1 as never })).toThrow(/`detail`/);
    expect(() => new EventPrinter({ slowest: -1 })).toThrow(/`slowest`/);
    expect(() => new EventPrinter({ colour: true } as never)).toThrow(/unknown option `colour`/);
  });

  it('writes to process.stdout by default', () => {
    const p = new EventPrinter();
    expect(typeof p.color).toBe('boolean');
  });
});

describe('EventPrinter: a real run', () => {
  it('prints an agent, its tools, a retried tool and a parallel group as a tree', async () => {
    const state = new ExecutionState({ stateId: 'tree' });
    const { stream, printer: p } = printer();
    state.eventBus.subscribe(p);
    let attempts = 0;
    const fetchDoc = new Tool({
      name: 'FetchDoc',
      inputSchema: z.object({ id: z.number() }),
      handler: ({ id }) => ({ id }),
    });
    const flaky = new Tool({
      name: 'Flaky',
      inputSchema: z.object({}),
      retry: { maxAttempts: 2, initialDelayMs: 1, jitter: false },
      handler: () => {
        if (++attempts === 1) throw new Error('try again');
        return 'ok';
      },
    });
    const pipeline = new Agent({
      name: 'Pipeline',
      inputSchema: z.object({}),
      handler: async (_input, _context, s) => {
        await s.run(flaky, {});
        await s.parallel({ name: 'Docs', maxWorkers: 1 }, (g) => {
          g.add(() => s.run(fetchDoc, { id: 1 }));
          g.add(() => s.run(fetchDoc, { id: 2 }));
        });
        return 'done';
      },
    });
    await state.run(pipeline, {});
    const shape = stream.lines.map((line) => line.replace(/ (<1 ms|\d+ ms|[\d.]+ s)/g, ' T'));
    expect(shape).toEqual([
      '▶ Pipeline agent_call started',
      '  ▶ Flaky tool_call started',
      '  ↻ Flaky tool_call retrying: Attempt 1 of 2 failed: try again; retrying in T.',
      '  ✔ Flaky tool_call completed T',
      '    ▶ Docs[0] FetchDoc tool_call started',
      '    ✔ Docs[0] FetchDoc tool_call completed T',
      '    ▶ Docs[1] FetchDoc tool_call started',
      '    ✔ Docs[1] FetchDoc tool_call completed T',
      '✔ Pipeline agent_call completed T',
    ]);
    expect(p.summary()).toMatchObject({ runs: 4, completed: 4, retried: 1, retries: 1 });
  });
});
