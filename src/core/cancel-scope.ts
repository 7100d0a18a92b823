import { setMaxListeners } from 'node:events';

/**
 * A node of the cancellation tree: the state has the root scope (interrupts), every parallel group
 * a child of the scope it was opened in. Aborting a scope aborts its whole subtree. The
 * `AbortSignal` is created only when someone asks for it, so the per-task path allocates none and
 * registers no listener on a shared signal.
 */
export class CancelScope {
  #controller: AbortController | undefined;
  #children: Set<CancelScope> | undefined;
  #callbacks: Set<(reason: unknown) => void> | undefined;
  #aborted = false;
  #reason: unknown;

  constructor(readonly parent?: CancelScope) {
    if (parent) {
      if (parent.aborted) this.abort(parent.reason);
      else (parent.#children ??= new Set()).add(this);
    }
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** The scope's `AbortSignal`, created on first use. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      // Many user functions may listen to one group's signal; that is not a leak.
      setMaxListeners(0, this.#controller.signal);
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Aborts this scope and every scope below it; later calls do nothing. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const callbacks = this.#callbacks;
    this.#callbacks = undefined;
    if (callbacks) for (const callback of callbacks) callback(reason);
    const children = this.#children;
    this.#children = undefined;
    if (children) for (const child of children) child.abort(reason);
    // An aborted scope has nothing left to receive from its parent.
    this.dispose();
  }

  /** Calls `callback` once when the scope aborts; returns the function that removes it. */
  onAbort(callback: (reason: unknown) => void): () => void {
    if (this.#aborted) {
      callback(this.#reason);
      return () => {};
    }
    (this.#callbacks ??= new Set()).add(callback);
    return () => this.#callbacks?.delete(callback);
  }

  /**
   * Detaches the scope from its parent once it is no longer needed (its group settled), so a
   * long-lived parent does not keep it alive.
   */
  dispose(): void {
    if (this.parent) this.parent.#children?.delete(this);
  }

  /** Attaches a disposed scope to its parent again, or aborts it at once if the parent aborted meanwhile. */
  attach(): void {
    const parent = this.parent;
    if (!parent || this.#aborted) return;
    if (parent.aborted) this.abort(parent.reason);
    else (parent.#children ??= new Set()).add(this);
  }
}
