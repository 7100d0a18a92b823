import type { ExecutionRecord } from '../bus/events.js';
import type { ReplayPlan } from '../core/replay.js';
import { ExecutionStatus, ReplayMode } from '../util/enums.js';

/** An address without its event type: the prefix of the runs nested under it. */
const pathOf = (address: string): string => address.slice(0, address.lastIndexOf('::'));

const NOT_COMPLETED: ReadonlySet<string> = new Set([
  ExecutionStatus.FAILED,
  ExecutionStatus.CANCELLED,
  ExecutionStatus.INTERRUPTED,
]);

/**
 * What a restored state does with each run of the program that runs again on it (API.md, "Replay"):
 *
 * - `normal`: a run whose address completed before (its latest end is a completion) returns its
 *   recorded result without calling its handler, and publishes one `recovered` event; everything
 *   else runs.
 * - `republish_all`: the same, but the recorded events of the replayed run (and of the runs nested
 *   under it: the last attempt of each) are published again, in their order, instead of
 *   `recovered`.
 * - `validation`: every handler runs again; a result that differs from the recorded one is
 *   published as a `warning` log event naming the address.
 * - `resumeFromAddress`: the run at that address (its latest run, if it ran more than once), the
 *   runs nested under it and every run recorded after it run again; the runs recorded before it
 *   are replayed.
 */
export class Replayer {
  /** The history as restored (the live history grows as the program runs again). */
  readonly history: readonly ExecutionRecord[];
  /** The recorded result of each completed address, and where its completion was recorded. */
  readonly #completed = new Map<string, { result: unknown; index: number }>();
  readonly #cut: number;
  /** The prefix of the runs nested under `resumeFromAddress`. */
  readonly #resumeNested: string | undefined;

  constructor(
    history: readonly ExecutionRecord[],
    readonly mode: ReplayMode,
    readonly resumeFromAddress: string | undefined,
  ) {
    this.history = [...history];
    this.history.forEach((record, index) => {
      if (
        record.status === ExecutionStatus.COMPLETED ||
        record.status === ExecutionStatus.RECOVERED
      )
        this.#completed.set(record.address, { result: record.result, index });
      else if (NOT_COMPLETED.has(record.status)) this.#completed.delete(record.address);
    });
    if (resumeFromAddress === undefined) this.#cut = Infinity;
    else {
      // Where the address's last run begins: an address that ran again (a resume, validation) is
      // cut at its latest run, so what ended after that runs again, not everything since its first.
      let cut = -1;
      this.history.forEach((record, index) => {
        if (record.address !== resumeFromAddress) return;
        if (cut === -1 || record.status === ExecutionStatus.STARTED) cut = index;
      });
      this.#cut = cut;
      this.#resumeNested = `${pathOf(resumeFromAddress)}::`;
    }
  }

  plan(address: string): ReplayPlan | undefined {
    const done = this.#completed.get(address);
    if (done === undefined || done.index >= this.#cut) return undefined;
    // The resumed run itself starts with its own path too.
    if (this.#resumeNested !== undefined && address.startsWith(this.#resumeNested))
      return undefined;
    if (this.mode === ReplayMode.VALIDATION) return { kind: 'validate', result: done.result };
    if (this.mode !== ReplayMode.REPUBLISH_ALL) {
      return { kind: 'recover', result: done.result, republish: false, records: [] };
    }
    return { kind: 'recover', result: done.result, republish: true, records: this.#tree(address) };
  }

  /**
   * The recorded events of the run at `address` and of the runs nested under it, in the order they
   * were published: a run's `started` (and `retrying`) before the events of its nested runs, its
   * end after them, siblings by their start. (Per-run checkpoints store each run's records together
   * when it ends, so a parent's records come after its children's in the stored history.) Only the
   * last attempt of each address counts; `recovered` records are left out.
   */
  #tree(address: string): ExecutionRecord[] {
    const nested = `${pathOf(address)}::`;
    const runs = new Map<string, ExecutionRecord[]>();
    for (const record of this.history) {
      if (!record.address.startsWith(nested)) continue; // the run itself and its nested runs
      if (record.status === ExecutionStatus.RECOVERED) continue;
      const list = runs.get(record.address);
      if (list === undefined || record.status === ExecutionStatus.STARTED)
        runs.set(record.address, [record]);
      else list.push(record);
    }
    // Each run's nearest enclosing run among them: the longest path prefix that is a run.
    const byPath = new Map<string, string>();
    for (const run of runs.keys()) byPath.set(pathOf(run), run);
    const children = new Map<string, string[]>();
    for (const run of runs.keys()) {
      if (run === address) continue;
      let path = pathOf(run);
      let parent: string | undefined;
      while (parent === undefined && path.includes('::')) {
        path = path.slice(0, path.lastIndexOf('::'));
        parent = byPath.get(path);
      }
      const siblings = children.get(parent ?? address);
      if (siblings) siblings.push(run);
      else children.set(parent ?? address, [run]);
    }
    const out: ExecutionRecord[] = [];
    const startOf = (run: string): number => (runs.get(run) as ExecutionRecord[])[0]!.timestamp;
    const emit = (run: string): void => {
      const records = runs.get(run) ?? [];
      const last = records[records.length - 1];
      const ended =
        last !== undefined &&
        last.status !== ExecutionStatus.STARTED &&
        last.status !== ExecutionStatus.RETRYING;
      for (let i = 0; i < records.length - (ended ? 1 : 0); i++) out.push(records[i]!);
      const kids = children.get(run);
      if (kids) for (const kid of kids.sort((a, b) => startOf(a) - startOf(b))) emit(kid);
      if (ended) out.push(last);
    };
    emit(address);
    return out;
  }
}
