import type { ExecutionRecord, GroupEvent } from '../../src/index.js';

/** A stream double: collects every chunk written. */
export class FakeStream {
  chunks: string[] = [];
  constructor(
    public isTTY = false,
    public columns: number | undefined = undefined,
    public rows: number | undefined = undefined,
  ) {}
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
  /** The written text split into lines (without the last empty one). */
  get lines(): string[] {
    const lines = this.text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }
}

/** A stream whose write always throws. */
export const throwingStream = {
  isTTY: true,
  columns: 80,
  write(): never {
    throw new Error('EPIPE: broken pipe');
  },
};

/**
 * What a terminal would show after the output: applies `\r`, `\n`, cursor-up (`CSI n A`),
 * erase-line (`CSI 2K`), erase-down (`CSI J`); colour codes are dropped.
 */
export function screen(text: string): string[] {
  const rows: string[] = [''];
  let row = 0;
  let col = 0;
  let i = 0;
  const put = (ch: string) => {
    const line = rows[row] ?? '';
    const chars = [...line];
    while (chars.length < col) chars.push(' ');
    chars[col] = ch;
    rows[row] = chars.join('');
    col++;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '\u001b') {
      // eslint-disable-next-line no-control-regex
      const match = /^\u001b\[(\d*)([A-Za-z])/.exec(text.slice(i));
      if (!match) throw new Error(`unknown escape at ${i}`);
      const [all, n, code] = match;
      if (code === 'A') row = Math.max(0, row - Number(n || 1));
      else if (code === 'K' && n === '2') rows[row] = '';
      else if (code === 'J') {
        rows[row] = [...(rows[row] ?? '')].slice(0, col).join('');
        rows.length = row + 1;
      }
      i += all.length;
      continue;
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row++;
      col = 0;
      if (rows[row] === undefined) rows[row] = '';
    } else put(ch);
    i++;
  }
  if (rows[rows.length - 1] === '') rows.pop();
  return rows;
}

let clock = 0;

export function record(
  address: string,
  status: ExecutionRecord['status'],
  extra: Partial<ExecutionRecord> = {},
): ExecutionRecord {
  const segments = address.split('::');
  const name = segments[segments.length - 2] ?? '?';
  const eventType = segments[segments.length - 1] as ExecutionRecord['actor']['eventType'];
  const branch = /^(.*)\[(\d+)\]$/.exec(segments[segments.length - 3] ?? '');
  return {
    kind: 'execution',
    actor: { name: name.replace(/#\d+$/, ''), eventType },
    address,
    status,
    executionTimeMs: undefined,
    message: undefined,
    detail: undefined,
    tag: undefined,
    groupId: branch ? [...segments.slice(0, -3), branch[1]].join('::') : undefined,
    parallelIndex: branch ? Number(branch[2]) : undefined,
    isParallel: branch !== null,
    retryAttempt: 1,
    timestamp: clock++,
    stateId: 'test',
    ...extra,
  };
}

/** Builds a group's events with consistent counts. */
export class GroupSim {
  total: number;
  started = 0;
  completed = 0;
  failed = 0;
  cancelled = 0;
  running = 0;
  constructor(
    readonly groupId: string,
    total: number,
    readonly extra: Partial<GroupEvent> = {},
  ) {
    this.total = total;
  }

  #event(type: GroupEvent['type'], extra: Partial<GroupEvent> = {}): GroupEvent {
    return {
      kind: 'group',
      type,
      groupId: this.groupId,
      name: this.groupId.split('::').pop(),
      status: 'running',
      total: this.total,
      started: this.started,
      completed: this.completed,
      failed: this.failed,
      cancelled: this.cancelled,
      running: this.running,
      maxWorkers: 5,
      parentGroupId: undefined,
      depth: 0,
      durationMs: undefined,
      timestamp: 1_000,
      stateId: 'test',
      ...this.extra,
      ...extra,
    };
  }

  start(): GroupEvent {
    return this.#event('started');
  }

  add(n: number): GroupEvent {
    this.total += n;
    return this.#event('updated');
  }

  task(
    index: number,
    outcome: 'completed' | 'failed' | 'cancelled' = 'completed',
    extra: Partial<GroupEvent> = {},
  ): GroupEvent {
    this.started = Math.max(this.started, index + 1);
    this[outcome]++;
    return this.#event('task', {
      index,
      outcome,
      taskName: undefined,
      taskDurationMs: 100,
      attempts: 1,
      message: outcome === 'completed' ? undefined : `task ${index} broke`,
      ...extra,
    });
  }

  end(
    type: 'completed' | 'failed' | 'cancelled' = 'completed',
    extra: Partial<GroupEvent> = {},
  ): GroupEvent {
    if (type !== 'completed')
      this.cancelled += this.total - this.completed - this.failed - this.cancelled;
    return this.#event(type, { status: type, durationMs: 4_200, ...extra });
  }
}
