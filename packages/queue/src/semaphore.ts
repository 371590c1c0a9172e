/** A counting semaphore with FIFO waiters. */
export class Semaphore {
  readonly #size: number;
  #inUse = 0;
  #waiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`semaphore size must be a positive integer, got ${size}`);
    this.#size = size;
  }

  /** Permits taken, including by callers still waiting for one. */
  get inUse(): number {
    return this.#inUse + this.#waiters.length;
  }

  acquire(): Promise<void> {
    if (this.#inUse < this.#size) {
      this.#inUse += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) {
      next(); // the permit passes straight to the next waiter
      return;
    }
    this.#inUse -= 1;
    if (this.#inUse === 0) {
      const idle = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of idle) resolve();
    }
  }

  /** Resolves when no permit is taken and nobody waits. */
  idle(): Promise<void> {
    if (this.inUse === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
