/** A small key/value store on the state, for values the runs of a pipeline share. */
export class StateStorage {
  readonly #values = new Map<string, unknown>();
  #version = 0;

  /** @internal Changes whenever the storage does: checkpoints store it only then. */
  get version(): number {
    return this.#version;
  }

  get<T = unknown>(key: string): T | undefined {
    return this.#values.get(key) as T | undefined;
  }

  set(key: string, value: unknown): this {
    this.#version++;
    this.#values.set(key, value);
    return this;
  }

  has(key: string): boolean {
    return this.#values.has(key);
  }

  delete(key: string): boolean {
    this.#version++;
    return this.#values.delete(key);
  }

  keys(): string[] {
    return [...this.#values.keys()];
  }

  get size(): number {
    return this.#values.size;
  }

  clear(): void {
    this.#version++;
    this.#values.clear();
  }

  /** The stored values as a plain object. */
  toJSON(): Record<string, unknown> {
    return Object.fromEntries(this.#values);
  }
}
