/**
 * A training progress bar: redrawn in place on a terminal, plain lines (about every 10%) when the
 * output is a file or a pipe, where carriage returns would only make a mess.
 */

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export class ProgressBar {
  private readonly start = performance.now();
  private lastDraw = 0;
  private lastPlainDecile = -1;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    /** Steps in total (batches). */
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stdout,
  ) {
    this.tty = stream.isTTY === true;
  }

  /** `step` steps and `samples` samples done; `fields` are shown after the bar (e.g. the loss). */
  update(step: number, samples: number, fields: Record<string, string>): void {
    const now = performance.now();
    const done = step === this.total;
    const elapsed = (now - this.start) / 1000;
    const line = this.render(step, samples / elapsed, (elapsed / step) * (this.total - step), fields);
    if (this.tty) {
      // Redrawing at most ~10 times a second keeps the terminal from being the bottleneck.
      if (!done && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.stream.write(`\r\x1b[2K${line}${done ? '\n' : ''}`);
    } else {
      const decile = Math.floor((10 * step) / this.total);
      if (decile === this.lastPlainDecile && !done) return;
      this.lastPlainDecile = decile;
      this.stream.write(`${line}\n`);
    }
  }

  private render(step: number, rate: number, eta: number, fields: Record<string, string>): string {
    const width = 24;
    const filled = Math.round((width * step) / this.total);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const extra = Object.entries(fields).map(([k, v]) => `${k} ${v}`);
    return [
      `${this.label} ${bar} ${step}/${this.total}`,
      ...extra,
      `${Math.round(rate).toLocaleString('en-US')} samples/s`,
      `ETA ${formatDuration(eta)}`,
    ].join('  ');
  }
}
