import type { StateSummary } from '../index.js';
import { parseCommandArgs, single } from './args.js';
import { STATES_HELP } from './help.js';
import type { CliIo } from './io.js';
import { openStore } from './open-store.js';
import { cells, fit, formatTime, pad, visible } from './text.js';

const HEADERS = ['STATE', 'PIPELINE', 'STATUS', 'TAGS', 'UPDATED'] as const;

/** One state as a row of the table: each cell made safe to show. */
function row(state: StateSummary): string[] {
  const tags = Array.isArray(state.tags) ? state.tags.map((t) => visible(String(t))) : [];
  return [
    visible(String(state.stateId)),
    state.pipeline === undefined ? '-' : visible(String(state.pipeline)),
    visible(String(state.status)),
    tags.length === 0 ? '-' : tags.join(', '),
    formatTime(state.updatedAt),
  ];
}

/** A summary with its fields in one order, whichever backend listed it. */
function ordered(state: StateSummary): StateSummary {
  const { stateId, pipeline, tags, status, createdAt, updatedAt } = state;
  return pipeline === undefined
    ? { stateId, tags, status, createdAt, updatedAt }
    : { stateId, pipeline, tags, status, createdAt, updatedAt };
}

/** The states as a table, columns aligned; on a terminal each line is cut to its width. */
export function formatStates(states: readonly StateSummary[], width = Infinity): string {
  const rows = [[...HEADERS], ...states.map(row)];
  const widths = HEADERS.map((_, i) =>
    rows.reduce((widest, r) => Math.max(widest, cells(r[i] as string)), 0),
  );
  let out = '';
  for (const r of rows) {
    const line = r
      .map((cell, i) => (i === r.length - 1 ? cell : pad(cell, widths[i] as number)))
      .join('  ');
    out += `${fit(line, width)}\n`;
  }
  return out;
}

/** `rh-agents states <dir | file.db> [--tag t] [--pipeline p] [--json]`. */
export async function statesCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, path } = parseCommandArgs(
    'states',
    args,
    {
      tag: { type: 'string', multiple: true },
      pipeline: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    '.rh-agents/states',
  );
  if (path === undefined) {
    io.stdout.write(STATES_HELP);
    return 0;
  }
  const tag = single('states', 'tag', values.tag);
  const pipeline = single('states', 'pipeline', values.pipeline);
  const store = openStore(path, { cwd: io.cwd, command: 'states' });
  try {
    const filter: { tag?: string; pipeline?: string } = {};
    if (tag !== undefined) filter.tag = tag;
    if (pipeline !== undefined) filter.pipeline = pipeline;
    const states = await store.backend.list(filter);
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(states.map(ordered), null, 2)}\n`);
    } else if (states.length === 0) {
      const which = [
        tag === undefined ? '' : ` with tag '${visible(tag)}'`,
        pipeline === undefined ? '' : ` of pipeline '${visible(pipeline)}'`,
      ].join('');
      io.stdout.write(`No states${which} in ${visible(store.path)}.\n`);
    } else {
      const width = io.stdout.isTTY === true ? (io.stdout.columns ?? 80) : Infinity;
      io.stdout.write(formatStates(states, width));
    }
    return 0;
  } finally {
    await store.backend.close();
  }
}
