/**
 * Progress bars on stderr, one line per party and phase, redrawn in place on a terminal and
 * printed as occasional plain lines otherwise (CI logs). stdout stays free for --json.
 */
export class ProgressBoard {
  readonly #rows = new Map<string, { phase: string; done: number; total: number }>();
  readonly #tty = process.stderr.isTTY === true;
  #drawn = 0;
  #lastPlain = 0;
  readonly #enabled: boolean;

  constructor(enabled = true) {
    this.#enabled = enabled;
  }

  update(key: string, phase: string, done: number, total: number): void {
    if (!this.#enabled) return;
    this.#rows.set(key, { phase, done, total });
    if (this.#tty) this.#redraw();
    else {
      const now = Date.now();
      if (now - this.#lastPlain > 2000 || done === total) {
        this.#lastPlain = now;
        process.stderr.write(`  ${key}: ${phase} ${Math.round((100 * done) / Math.max(1, total))}%\n`);
      }
    }
  }

  #redraw(): void {
    const width = 30;
    const lines = [...this.#rows].map(([key, r]) => {
      const f = Math.min(1, r.done / Math.max(1, r.total));
      const bar = '█'.repeat(Math.round(f * width)).padEnd(width, '░');
      return `  ${key.padEnd(12)} ${r.phase.padEnd(8)} ${bar} ${String(Math.round(f * 100)).padStart(3)}%`;
    });
    if (this.#drawn) process.stderr.write(`\x1b[${this.#drawn}A`);
    process.stderr.write(lines.map((l) => `\x1b[2K${l}\n`).join(''));
    this.#drawn = lines.length;
  }

  /** Forgets the bars (the next update starts below them). */
  done(): void {
    this.#rows.clear();
    this.#drawn = 0;
  }
}
