import { RhAgentsError } from '../index.js';

function explain(port: number, host: string, code: string | undefined, cause: unknown): string {
  switch (code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use (EADDRINUSE). Stop what listens there, pick another \`port\`, or pass port: 0 to let the system choose a free one.`;
    case 'EACCES':
      return `port ${port} on ${host} may not be opened by this process (EACCES); ports below 1024 need privileges. Pick a port from 1024 up, or port: 0.`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `${host} is not an address of this machine (${code}), so port ${port} cannot be opened on it. Pass a \`host\` this machine has, such as '127.0.0.1'.`;
    default: {
      const reason = cause instanceof Error ? cause.message : String(cause);
      return `port ${port} on ${host} could not be opened (${reason}). Pick another \`port\` or \`host\`.`;
    }
  }
}

/** The live view's server could not listen: the port is taken or not allowed, or the host unknown. */
export class LiveViewListenError extends RhAgentsError {
  override name = 'LiveViewListenError';
  /** The system error code, e.g. `EADDRINUSE`. */
  readonly code: string | undefined;
  constructor(
    /** The port that was asked for. */
    readonly port: number,
    /** The host that was asked for. */
    readonly host: string,
    options?: { cause?: unknown },
  ) {
    const code = (options?.cause as { code?: unknown } | undefined)?.code;
    const codeText = typeof code === 'string' ? code : undefined;
    super(
      `The live view could not start: ${explain(port, host, codeText, options?.cause)}`,
      options,
    );
    this.code = codeText;
  }
}
