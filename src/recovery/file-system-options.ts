/** The options of `FileSystemStateBackend`, and their defaults. */

export interface FileSystemStateBackendOptions {
  /** The directory holding the states; created (with its parents) on the first `save`. */
  dir: string;
  /**
   * `fsync` every appended entry and every replaced file (and the directory after a rename), so
   * a checkpoint survives a power loss or OS crash, not only the process being killed. Costs a
   * disk flush per checkpoint (from ~50 µs on an SSD to several milliseconds).
   * @default false
   */
  fsync?: boolean;
  /**
   * Fold a state's log into its base once the log holds at least this many entries **and** is at
   * least as large as the base (so each fold, whose cost grows with the state, is paid for by as
   * many bytes of appends and the average append cost stays flat). `Infinity`: never.
   * @default 1000
   */
  compactEvery?: number;
}

export const defaultFileSystemStateBackendOptions = Object.freeze({
  fsync: false,
  compactEvery: 1000,
});
