import { safeStringify } from './serialize.js';
import { STATE_ID_PATTERN, type LiveStateSource } from './state-source.js';

/** A JSON answer: status and body. */
export interface JsonAnswer {
  status: number;
  body: string;
}

/** A stored history is long but plain: keep all of it, only guard against what is not JSON. */
const SNAPSHOT_LIMITS = {
  maxDepth: 64,
  maxItems: 10_000_000,
  maxKeys: 100_000,
  maxNodes: 50_000_000,
  maxStringLength: 10_000_000,
};

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    // A third-party backend may hand back a BigInt or a cycle: send what can be sent.
    return safeStringify(value, SNAPSHOT_LIMITS);
  }
}

function failure(status: number, message: string): JsonAnswer {
  return { status, body: JSON.stringify({ error: message }) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `GET /api/states` (optional `?tag=` and `?pipeline=`) and `GET /api/states/<id>`. */
export async function answerStates(
  source: LiveStateSource | undefined,
  path: string,
  url: URL,
): Promise<JsonAnswer> {
  if (source === undefined) {
    return failure(
      404,
      'This live view has no stored states: pass a `stateBackend` to serveLiveView() to list them.',
    );
  }
  if (path === '/api/states') {
    const filter: { tag?: string; pipeline?: string } = {};
    const tag = url.searchParams.get('tag');
    const pipeline = url.searchParams.get('pipeline');
    if (tag !== null) filter.tag = tag;
    if (pipeline !== null) filter.pipeline = pipeline;
    try {
      const states = await source.list(filter);
      return { status: 200, body: stringify({ states }) };
    } catch (error) {
      return failure(500, `Listing the stored states failed: ${messageOf(error)}`);
    }
  }
  let stateId: string;
  try {
    stateId = decodeURIComponent(path.slice('/api/states/'.length));
  } catch {
    stateId = '';
  }
  if (!STATE_ID_PATTERN.test(stateId)) {
    return failure(
      400,
      `Not a state id: ${JSON.stringify(stateId.slice(0, 200))}. State ids are 1 to 128 letters, digits, '_' or '-'.`,
    );
  }
  try {
    const snapshot = await source.load(stateId);
    return { status: 200, body: stringify(snapshot) };
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    if (name === 'StateNotFoundError') return failure(404, messageOf(error));
    return failure(500, `Loading state ${stateId} failed: ${messageOf(error)}`);
  }
}
