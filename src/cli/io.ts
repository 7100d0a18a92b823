/** Where a command writes, what it reads of its environment, and what stops it. */

/** An output stream: `process.stdout` or a test's collector. */
export interface CliStream {
  write(chunk: string): unknown;
  /** On a terminal, `states` cuts its lines to `columns`. */
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** What `runCli` runs against: by default, the process's own. */
export interface CliIo {
  /** @default process.stdout */
  stdout: CliStream;
  /** @default process.stderr */
  stderr: CliStream;
  /** Read for `RH_AGENTS_TOKEN`. @default process.env */
  env: Readonly<Record<string, string | undefined>>;
  /** What relative paths are resolved against. @default process.cwd() */
  cwd: string;
  /** Stops `view` as Ctrl-C does (besides SIGINT and SIGTERM). @default undefined */
  signal?: AbortSignal | undefined;
}
