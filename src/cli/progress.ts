/**
 * Progress bars on stderr, one line per party and phase, redrawn in place on a terminal and
 * printed as a few plain lines otherwise (CI logs, pipes): a party's phase when it starts and
 * when it completes, and for a long phase a line at most every 15 s — never one per update.
 * stdout stays free for --json.
 */
export class ProgressBoard {
  readonly #rows = new Map<string, { phase: string; done: number; total: number }>();
  readonly #tty = process.stderr.isTTY === true;
  #drawn = 0;
  /** Plain mode: per key, the phase last printed, whether its end was printed, and when. */
  readonly #plain = new Map<string, { phase: string; ended: boolean; at: number }>();
  readonly #enabled: boolean;

  constructor(enabled = true) {
    this.#enabled = enabled;
  }

  update(key: string, phase: string, done: number, total: number): void {
    if (!this.#enabled) return;
    this.#rows.set(key, { phase, done, total });
    if (this.#tty) this.#redraw();
    else this.#printPlain(key, phase, done, total);
  }

  #printPlain(key: string, phase: string, done: number, total: number): void {
    const now = Date.now();
    const last = this.#plain.get(key);
    const finished = done >= total;
    const pct = Math.round((100 * Math.min(done, total)) / Math.max(1, total));
    if (!last || last.phase !== phase) {
      this.#plain.set(key, { phase, ended: finished, at: now });
      process.stderr.write(`  ${key}: ${phase}${finished ? ' done' : pct > 0 ? ` ${pct}%` : ''}\n`);
    } else if (finished && !last.ended) {
      last.ended = true;
      last.at = now;
      process.stderr.write(`  ${key}: ${phase} done\n`);
    } else if (!finished && now - last.at >= 15_000) {
      last.at = now;
      process.stderr.write(`  ${key}: ${phase} ${pct}%\n`);
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
    this.#plain.clear();
    this.#drawn = 0;
  }
}
