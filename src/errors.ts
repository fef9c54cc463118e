/**
 * One error base for all of Tacit, after viem's `BaseError`: a short message a person can
 * act on, optional details, a hint that says what to do next, and the cause chain. Every
 * layer throws a named subclass so callers can branch on `err.name` or `instanceof`.
 *
 * Messages must never carry raw data, shares or secrets: only names, sizes, steps and ids.
 */
export interface TacitErrorOptions {
  /** Extra facts: which peer, which step, which line. */
  details?: string;
  /** What the user should do about it. */
  hint?: string;
  cause?: unknown;
  /** A machine-readable code when it is not the class name (a party's error relayed by its parent). */
  code?: string;
}

export class TacitError extends Error {
  override name = 'TacitError';
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly hint: string | undefined;
  readonly code: string | undefined;

  constructor(shortMessage: string, options: TacitErrorOptions = {}) {
    const lines = [shortMessage];
    if (options.details) lines.push(`Details: ${options.details}`);
    if (options.hint) lines.push(`Hint: ${options.hint}`);
    super(lines.join('\n'), options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.hint = options.hint;
    this.code = options.code;
  }

  /** Walks the cause chain and returns the first error matching `fn`, if any. */
  walk(fn: (err: unknown) => boolean): unknown {
    let e: unknown = this;
    while (e) {
      if (fn(e)) return e;
      e = (e as { cause?: unknown }).cause;
    }
    return undefined;
  }
}

/** Small named input checks (noble style): wrong type → TypeError, wrong value → RangeError. */
export function assertInteger(value: unknown, title: string, min = -Infinity, max = Infinity): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`${title} must be an integer, got ${typeof value}`);
  if (value < min || value > max) throw new RangeError(`${title} must be in [${min}, ${max}], got ${value}`);
}

export function assertFiniteArray(values: ArrayLike<number>, title: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`${title}[${i}] is not a finite number (NaN or Infinity)`);
  }
}
