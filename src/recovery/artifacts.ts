/**
 * Large results in the artifact store: a stored record holds a reference object
 * `{ "$rhArtifact": "sha256:<hex>", "bytes": n }` instead of a result whose JSON is at least
 * `minBytes` bytes, and a replayed run gets the real result back from the store.
 */
import type { ReplayPlan } from '../core/replay.js';
import { messageOf } from '../util/describe.js';
import {
  ARTIFACT_REF_PATTERN,
  type ArtifactBackend,
  DEFAULT_ARTIFACT_MIN_BYTES,
} from './artifact-backend.js';
import type { StoredRecord } from './snapshot.js';

/** The key that marks a stored result as a reference to the artifact store. */
export const ARTIFACT_KEY = '$rhArtifact';

/** What a stored record holds instead of a large result. */
export interface ArtifactReference {
  /** The content's address in the artifact store: `sha256:<hex>`. */
  readonly $rhArtifact: string;
  /** The size of the result's JSON, in UTF-8 bytes. */
  readonly bytes: number;
}

/** Whether `value` is exactly a reference object (those two keys, well-formed). */
export function isArtifactReference(value: unknown): value is ArtifactReference {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 2) return false;
  const { $rhArtifact: ref, bytes } = value as Record<string, unknown>;
  return (
    typeof ref === 'string' &&
    ARTIFACT_REF_PATTERN.test(ref) &&
    typeof bytes === 'number' &&
    Number.isInteger(bytes) &&
    bytes >= 0
  );
}

/** Publishes a `warning` log event for the run at `address`. */
export type ArtifactWarn = (
  address: string,
  message: string,
  metadata: Record<string, unknown>,
) => void;

/** A state's use of its artifact store: putting large results, and getting them back on replay. */
export class ResultArtifacts {
  readonly minBytes: number;

  constructor(readonly backend: ArtifactBackend) {
    this.minBytes = backend.minBytes ?? DEFAULT_ARTIFACT_MIN_BYTES;
  }

  /**
   * Stores each result of `records` whose JSON is at least `minBytes` bytes (and each that looks
   * like a reference, so that a reference in a record is always one of ours), then replaces it in
   * its record by a reference. `undefined` when no result is large: nothing to wait for.
   */
  externalize(records: StoredRecord[]): Promise<void> | undefined {
    let puts: Promise<void>[] | undefined;
    for (const record of records) {
      const result = record.result;
      if (result === undefined) continue;
      const json = JSON.stringify(result);
      const bytes = Buffer.byteLength(json, 'utf8');
      if (bytes < this.minBytes && !isArtifactReference(result)) continue;
      (puts ??= []).push(
        this.backend.put(json).then((ref) => {
          if (typeof ref !== 'string' || !ARTIFACT_REF_PATTERN.test(ref)) {
            throw new TypeError(
              `the artifact store's put() returned ${JSON.stringify(ref)} for the result of the run at ${record.address}; an ArtifactBackend must return 'sha256:<hex>' (64 lowercase hex digits).`,
            );
          }
          record.result = { [ARTIFACT_KEY]: ref, bytes };
        }),
      );
    }
    return puts && Promise.all(puts).then(() => undefined);
  }

  /**
   * The replay plan of a restored run with its real result (and, for `republish_all`, the real
   * results of the records it publishes again). When the run's own artifact cannot be read, the
   * run is not replayed: a `warning` names the address and the reference, and it runs again.
   */
  resolve(
    plan: ReplayPlan | undefined,
    address: string,
    warn: ArtifactWarn,
  ): ReplayPlan | undefined | Promise<ReplayPlan | undefined> {
    if (plan === undefined) return undefined;
    const own = isArtifactReference(plan.result) ? plan.result : undefined;
    const republished =
      plan.kind === 'recover' &&
      plan.republish &&
      plan.records.some((record) => isArtifactReference(record.result));
    if (own === undefined && !republished) return plan;
    const cache = new Map<string, Promise<unknown>>();
    const fetch = (ref: string): Promise<unknown> => {
      let value = cache.get(ref);
      if (value === undefined) {
        value = this.backend.get(ref).then((text) => JSON.parse(text) as unknown);
        cache.set(ref, value);
      }
      return value;
    };
    return (async (): Promise<ReplayPlan | undefined> => {
      let result = plan.result;
      if (own !== undefined) {
        const ref = own.$rhArtifact;
        try {
          result = await fetch(ref);
        } catch (error) {
          warn(
            address,
            `The recorded result of the run at ${address} is in the artifact store as ${ref}, which could not be read (${messageOf(error)}); the run runs again.`,
            { address, ref, error: messageOf(error) },
          );
          return undefined;
        }
      }
      if (plan.kind === 'validate') return { kind: 'validate', result };
      if (!republished) return { ...plan, result };
      // A nested record whose artifact is gone keeps its reference: it is only shown again.
      const records = await Promise.all(
        plan.records.map(async (record) =>
          isArtifactReference(record.result)
            ? {
                ...record,
                result: await fetch(record.result.$rhArtifact).catch(() => record.result),
              }
            : record,
        ),
      );
      return { ...plan, result, records };
    })();
  }
}
