/** Small file operations of the filesystem backend: whole writes, reads and removals that treat a missing file as an answer. */
import { ftruncateSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/** The text of `file`, or `undefined` when it does not exist. */
export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes all of `text` at the end of `fd`; on a failure part way, cuts back to `size` (so no fragment is left) and throws. */
export function writeWhole(fd: number, text: string, size: number): number {
  const bytes = Buffer.byteLength(text);
  let written = writeSync(fd, text);
  if (written === bytes) return bytes;
  try {
    const buffer = Buffer.from(text);
    while (written < bytes) written += writeSync(fd, buffer, written, bytes - written);
    return bytes;
  } catch (error) {
    ftruncateSync(fd, size);
    throw error;
  }
}

/** Removes a file; whether it existed. */
export function removeFile(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
