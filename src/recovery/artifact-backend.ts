/**
 * The artifact store: where large run results go, content-addressed, so that a state's records
 * hold a small reference instead (see docs/recovery.md, "Large results: the artifact store").
 * The interface a user implements, and `FileSystemArtifactBackend`, one file per sha256.
 */
import { createHash, randomUUID } from 'node:crypto';
import { open, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkBoolean, checkInteger, checkNonEmptyString, checkOptions } from '../util/validate.js';
import { describe } from '../util/describe.js';
import { ArtifactNotFoundError, CorruptStateError } from './errors.js';

/**
 * A content-addressed store of strings. `put` returns the content's address, `sha256:<hex>` (the
 * lowercase hex SHA-256 of its UTF-8 bytes); putting the same content twice stores it once.
 */
export interface ArtifactBackend {
  /** Stores `content` durably (it survives kill -9 once the promise resolves); its reference. */
  put(content: string): Promise<string>;
  /** The content stored under `ref`; rejects (e.g. `ArtifactNotFoundError`) when it is not there. */
  get(ref: string): Promise<string>;
  /** Whether content is stored under `ref`. */
  has(ref: string): Promise<boolean>;
  /** Releases files, handles, connections. */
  close(): Promise<void>;
  /**
   * Results whose JSON is at least this many bytes go to the store; smaller ones stay in the
   * record. @default 65536 (64 KiB)
   */
  readonly minBytes?: number;
}

/** Options of `FileSystemArtifactBackend`. */
export interface FileSystemArtifactBackendOptions {
  /** The directory holding the artifacts (one file per sha256); created on the first `put`. */
  dir: string;
  /** Results whose JSON is at least this many bytes go to the store. @default 65536 (64 KiB) */
  minBytes?: number;
  /** `fsync` each artifact and the directory after its rename (survives a power loss). @default false */
  fsync?: boolean;
}

/** The default `minBytes`: 64 KiB. */
export const DEFAULT_ARTIFACT_MIN_BYTES = 64 * 1024;

/** What an artifact reference looks like: `sha256:` and 64 lowercase hex digits. */
export const ARTIFACT_REF_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** The reference of `content`: `sha256:` and the hex SHA-256 of its UTF-8 bytes. */
export function artifactRefOf(content: string): string {
  return `sha256:${createHash('sha256').update(content, 'utf8').digest('hex')}`;
}

function checkRef(ref: unknown, owner: string): asserts ref is string {
  if (typeof ref !== 'string' || !ARTIFACT_REF_PATTERN.test(ref)) {
    throw new TypeError(
      `${owner}: invalid artifact reference ${describe(ref)}; expected 'sha256:' and 64 lowercase hex digits, as put() returns.`,
    );
  }
}

const OWNER = 'new FileSystemArtifactBackend()';

/**
 * Artifacts as files: `<dir>/<hex>`, named by the SHA-256 of the content. Each is written to a
 * temporary file and renamed into place, so a reader never sees half an artifact; a `put` of
 * content already stored writes nothing. `get` checks the content against its hash.
 */
export class FileSystemArtifactBackend implements ArtifactBackend {
  readonly dir: string;
  readonly minBytes: number;
  readonly #fsync: boolean;

  constructor(options: FileSystemArtifactBackendOptions) {
    checkOptions(OWNER, options, ['dir', 'minBytes', 'fsync']);
    const dir = checkNonEmptyString(
      OWNER,
      'dir',
      options.dir,
      "pass the directory to keep artifacts in, e.g. { dir: '.rh-agents/artifacts' }",
    );
    this.dir = resolve(dir);
    this.minBytes = checkInteger(
      OWNER,
      'minBytes',
      options.minBytes ?? DEFAULT_ARTIFACT_MIN_BYTES,
      {
        min: 0,
      },
    );
    this.#fsync = checkBoolean(OWNER, 'fsync', options.fsync ?? false);
  }

  async put(content: string): Promise<string> {
    if (typeof content !== 'string') {
      throw new TypeError(
        `FileSystemArtifactBackend.put(): expected the content as a string, got ${describe(content)}.`,
      );
    }
    const ref = artifactRefOf(content);
    const file = this.#file(ref);
    if (await exists(file)) return ref;
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `.${ref.slice(7)}.${process.pid}.${randomUUID()}.tmp`);
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(content, 'utf8');
        if (this.#fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    if (this.#fsync) {
      const directory = await open(this.dir, 'r');
      try {
        await directory.sync();
      } finally {
        await directory.close();
      }
    }
    return ref;
  }

  async get(ref: string): Promise<string> {
    checkRef(ref, 'FileSystemArtifactBackend.get()');
    const file = this.#file(ref);
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new ArtifactNotFoundError(ref, this.dir, { cause: error });
      throw error;
    }
    if (artifactRefOf(content) !== ref) {
      throw new CorruptStateError(
        `The artifact file ${file} does not hash to its name ${ref} (it was changed or damaged). Delete it: the run that stored it runs again.`,
        { location: file },
      );
    }
    return content;
  }

  async has(ref: string): Promise<boolean> {
    checkRef(ref, 'FileSystemArtifactBackend.has()');
    return exists(this.#file(ref));
  }

  async close(): Promise<void> {
    // Nothing is kept open between calls.
  }

  #file(ref: string): string {
    return join(this.dir, ref.slice('sha256:'.length));
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
