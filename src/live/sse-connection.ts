import type { ServerResponse } from 'node:http';
import type { EventLog } from './event-log.js';

/** Characters written per `write()` while catching up. */
const CHUNK_CHARS = 64 * 1024;

/**
 * One page's `GET /events` stream. It keeps only a cursor into the shared `EventLog`, never a
 * queue of its own: a slow page is sent more when its socket drains, from where it stopped.
 */
export class SseConnection {
  #cursor: number;
  #waiting = false;
  #closed = false;
  readonly #res: ServerResponse;
  readonly #log: EventLog;
  readonly #onClose: (connection: SseConnection) => void;

  constructor(
    res: ServerResponse,
    log: EventLog,
    /** The last event id the page has; it is sent the later ones. */
    lastEventId: number,
    onClose: (connection: SseConnection) => void,
  ) {
    this.#res = res;
    this.#log = log;
    this.#cursor = lastEventId + 1;
    this.#onClose = onClose;
    res.on('close', this.#handleClose);
  }

  /** Writes a named event without an id (it does not move the page's `Last-Event-ID`). */
  send(event: string, data: unknown): void {
    if (this.#closed) return;
    this.#res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Sends the events the page has not had yet, until the socket asks to wait. */
  pump(): void {
    if (this.#waiting || this.#closed) return;
    const log = this.#log;
    if (this.#cursor < log.firstId) {
      this.send('gap', { missed: log.firstId - this.#cursor, firstId: log.firstId });
      this.#cursor = log.firstId;
    }
    while (this.#cursor <= log.lastId) {
      const { text, nextId } = log.read(this.#cursor, CHUNK_CHARS);
      this.#cursor = nextId;
      if (!this.#res.write(text)) {
        this.#waiting = true;
        this.#res.once('drain', this.#handleDrain);
        return;
      }
    }
  }

  /** A comment line: keeps proxies and the browser from timing the idle stream out. */
  heartbeat(): void {
    if (this.#waiting || this.#closed) return;
    this.#res.write(': heartbeat\n\n');
  }

  /**
   * Sends what the page has not had yet (past any backpressure: it is the last write), tells it
   * the view is closing and ends the stream; resolves when the response closed.
   */
  end(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#res.once('close', () => resolve());
      const log = this.#log;
      while (this.#cursor <= log.lastId) {
        const { text, nextId } = log.read(this.#cursor, CHUNK_CHARS);
        this.#cursor = nextId;
        this.#res.write(text);
      }
      this.send('close', { reason: 'The live view was closed.' });
      this.#res.end();
    });
  }

  #handleDrain = (): void => {
    this.#waiting = false;
    this.pump();
  };

  #handleClose = (): void => {
    if (this.#closed) return;
    this.#closed = true;
    this.#res.off('drain', this.#handleDrain);
    this.#res.off('close', this.#handleClose);
    this.#onClose(this);
  };
}
