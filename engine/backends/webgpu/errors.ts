/**
 * GPU errors arrive asynchronously (error scopes, device.lost) while kernels are launched
 * synchronously, so an error is held here and thrown, as a plain JS Error, at the next operation
 * or read — the same point at which CUDA reports an asynchronous kernel failure.
 */
export class DeviceErrors {
  private pending: Error | null = null;
  /** An error outside any scope, often only a consequence (an invalid pipeline used) of a scoped one. */
  private consequence: Error | null = null;
  private lost: Error | null = null;
  private readonly waiting = new Set<Promise<unknown>>();

  fail(error: Error): void {
    this.pending ??= error;
  }

  /** An uncaptured error: thrown only once no scoped error that may have caused it is outstanding. */
  failUncaptured(error: Error): void {
    this.consequence ??= error;
  }

  /** Device loss is final: every later call fails with the same message. */
  markLost(error: Error): void {
    this.lost = error;
  }

  /** Holds the error a popped error scope reports, described by `describe`. */
  watch(scope: Promise<GPUError | null>, describe: (error: GPUError) => Error): void {
    const settled = scope.then(
      (error) => {
        if (error) this.fail(describe(error));
      },
      (error: unknown) => this.fail(error as Error),
    );
    this.waiting.add(settled);
    void settled.finally(() => this.waiting.delete(settled));
  }

  throwIfFailed(): void {
    if (this.lost) throw this.lost;
    const error = this.pending ?? (this.waiting.size === 0 ? this.consequence : null);
    if (error) {
      this.pending = null;
      this.consequence = null;
      throw error;
    }
  }

  /** Waits for every outstanding error scope, then throws what they reported. */
  async settle(): Promise<void> {
    await Promise.all([...this.waiting]);
    this.throwIfFailed();
  }
}
