/**
 * GPU errors arrive asynchronously (error scopes, device.lost) while kernels are launched
 * synchronously, so an error is held here and thrown, as a plain JS Error, at the next operation
 * or read — the same point at which CUDA reports an asynchronous kernel failure.
 */
export class DeviceErrors {
  private pending: Error | null = null;
  private lost: Error | null = null;
  private readonly waiting = new Set<Promise<unknown>>();

  fail(error: Error): void {
    this.pending ??= error;
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
    const error = this.pending;
    if (error) {
      this.pending = null;
      throw error;
    }
  }

  /** Waits for every outstanding error scope, then throws what they reported. */
  async settle(): Promise<void> {
    await Promise.all([...this.waiting]);
    this.throwIfFailed();
  }
}
