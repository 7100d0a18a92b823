/**
 * The errors of state recovery: a state that is not stored, one that cannot be read back, one
 * written by a newer rh-agents, and a value that cannot be stored. Each names the state or file
 * and says what to do next.
 */
import { RhAgentsError } from '../util/errors.js';

/** `load()` (or `append()`) of a state id that the backend does not hold. */
export class StateNotFoundError extends RhAgentsError {
  override name = 'StateNotFoundError';
  /** The id that was asked for. */
  readonly stateId: string;
  /** Where the backend looked: a directory, a database file, … */
  readonly location: string;
  constructor(stateId: string, location: string, options?: { message?: string; cause?: unknown }) {
    super(
      options?.message ??
        `No state '${stateId}' is stored in ${location}. Check the id: backend.list() shows the stored states.`,
      options,
    );
    this.stateId = stateId;
    this.location = location;
  }
}

/**
 * A stored state that cannot be read back as it was written: a file or row that is not valid
 * JSON, fails its checksum in the middle of a log, or does not have the shape of a snapshot.
 * Never returned as data: the error says which file, line or byte, and what to do.
 */
export class CorruptStateError extends RhAgentsError {
  override name = 'CorruptStateError';
  /** The file, or the database and state, that holds the bad data. */
  readonly location: string;
  /** The 1-based line of a log or base file, when the damage is on a line. */
  readonly line: number | undefined;
  /** The byte offset where the bad line or value starts, when known. */
  readonly offset: number | undefined;
  constructor(
    message = 'A stored state is corrupt. Restore it from a backup, or delete it.',
    options?: { location?: string; line?: number; offset?: number; cause?: unknown },
  ) {
    super(message, options);
    this.location = options?.location ?? 'unknown';
    this.line = options?.line;
    this.offset = options?.offset;
  }
}

/** A stored state written in a newer major format than this version of rh-agents reads. */
export class StateVersionError extends RhAgentsError {
  override name = 'StateVersionError';
  /** The format version found. */
  readonly version: number;
  /** The newest format version this rh-agents reads. */
  readonly supportedVersion: number;
  /** The state, file or database that holds it. */
  readonly location: string;
  constructor(
    location: string,
    version: number,
    supportedVersion: number,
    options?: { cause?: unknown },
  ) {
    super(
      `${location} was written in state format version ${version} by a newer rh-agents; this one reads format ${supportedVersion} and older. Upgrade rh-agents to load it (it was not changed).`,
      options,
    );
    this.location = location;
    this.version = version;
    this.supportedVersion = supportedVersion;
  }
}

/**
 * A value that JSON cannot hold as it is (a BigInt, a cycle, a function, a symbol, `NaN`, a Map,
 * a class instance without `toJSON()`…), so it cannot be checkpointed without changing it.
 */
export class UnstorableValueError extends RhAgentsError {
  override name = 'UnstorableValueError';
  /** What was being stored, as the caller named it: a run's address, a state id. */
  readonly where: string;
  /** The path of the offending value inside it, e.g. `result.items[2].when`. */
  readonly path: string;
  constructor(message: string, where: string, path: string, options?: { cause?: unknown }) {
    super(message, options);
    this.where = where;
    this.path = path;
  }
}

/** An artifact reference (`sha256:<hex>`) whose content the artifact store does not hold. */
export class ArtifactNotFoundError extends RhAgentsError {
  override name = 'ArtifactNotFoundError';
  /** The reference that was asked for. */
  readonly ref: string;
  /** Where the store looked: a directory, … */
  readonly location: string;
  constructor(ref: string, location: string, options?: { message?: string; cause?: unknown }) {
    super(
      options?.message ??
        `No artifact ${ref} is stored in ${location}. It was deleted or never written; the run that stored it must run again.`,
      options,
    );
    this.ref = ref;
    this.location = location;
  }
}
