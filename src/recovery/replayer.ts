import type { ExecutionRecord } from '../bus/events.js';
import type { ReplayPlan } from '../core/replay.js';
import { ExecutionStatus, ReplayMode } from '../util/enums.js';

/**
 * What a restored state does with each run of the program that runs again on it (API.md, "Replay"):
 *
 * - `normal`: a run whose address completed before returns its recorded result without calling its
 *   handler, and publishes one `recovered` event; everything else runs.
 * - `republish_all`: the same, but the recorded events of the replayed run (and of the runs nested
 *   under it) are published again, in their order, instead of `recovered`.
 * - `validation`: every handler runs again; a result that differs from the recorded one is
 *   published as a `warning` log event naming the address.
 * - `resumeFromAddress`: the run at that address and every run recorded after it run again; the
 *   runs recorded before it are replayed.
 */
export class Replayer {
  /** The recorded result of each completed address, and where its completion was recorded. */
  readonly #completed = new Map<string, { result: unknown; index: number }>();
  readonly #cut: number;

  constructor(
    readonly history: readonly ExecutionRecord[],
    readonly mode: ReplayMode,
    resumeFromAddress: string | undefined,
  ) {
    history.forEach((record, index) => {
      if (
        record.status === ExecutionStatus.COMPLETED ||
        record.status === ExecutionStatus.RECOVERED
      )
        this.#completed.set(record.address, { result: record.result, index });
    });
    this.#cut =
      resumeFromAddress === undefined
        ? Infinity
        : history.findIndex((record) => record.address === resumeFromAddress);
  }

  /** Whether `address` has records in the history. */
  has(address: string): boolean {
    return this.history.some((record) => record.address === address);
  }

  plan(address: string): ReplayPlan | undefined {
    const done = this.#completed.get(address);
    if (done === undefined || done.index >= this.#cut) return undefined;
    if (this.mode === ReplayMode.VALIDATION) return { kind: 'validate', result: done.result };
    if (this.mode !== ReplayMode.REPUBLISH_ALL) {
      return { kind: 'recover', result: done.result, republish: false, records: [] };
    }
    const nested = `${address.slice(0, address.lastIndexOf('::'))}::`;
    const records = this.history.filter(
      (record) => record.address === address || record.address.startsWith(nested),
    );
    return { kind: 'recover', result: done.result, republish: true, records };
  }
}
