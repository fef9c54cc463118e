/**
 * Command-line usage errors (unknown command, bad flag): exit code 2 instead of 1, and the
 * usage text as the hint. Also wraps node's parseArgs so its errors become UsageErrors.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TacitError } from '../errors.js';

export class UsageError extends TacitError {
  override name = 'UsageError';
}

/** node:util parseArgs in strict mode; unknown flags and bad values throw UsageError. */
export function parseFlags<T extends ParseArgsConfig['options']>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (cause) {
    throw new UsageError((cause as Error).message, { hint: usage });
  }
}
