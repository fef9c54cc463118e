/**
 * The node's logger: pino JSON lines to `<dataDir>/logs/node.log` and/or stdout (a service
 * manager collects stdout; the file is for hosts without one).
 *
 * Guidance for everyone who logs in a node: log names, ids, counts, sizes, steps, durations
 * and error names. NEVER log raw data (rows, ids of data subjects, values), secret shares or
 * masks, results, keys, passphrases or tokens — not even at debug level, because logs are
 * shipped and kept far longer and wider than the node's data.
 *
 * As a safety net every log object is walked before it is written: a field whose name says
 * it holds a secret (key, privateKey, passphrase, password, secret, token, authorization,
 * cookie, seed, mnemonic, share(s), keyPem, … at any depth, case-insensitive, also as a
 * suffix like `sessionToken`) is replaced by "[redacted]", and any binary array (Buffer,
 * Float64Array, BigUint64Array — the shapes raw data and shares take) by its type and length.
 * The walk does not make logging raw data acceptable; it only limits the damage of a slip.
 *
 * Rotation: have logrotate (or similar) rename the file and call `reopen()` (the daemon does
 * so on SIGHUP), or use `copytruncate`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';

export const REDACTED = '[redacted]';
const EXACT = new Set(['key', 'privatekey', 'keypem', 'passphrase', 'password', 'secret', 'token', 'apitoken', 'authorization', 'cookie', 'seed', 'mnemonic', 'share', 'shares', 'mask', 'masks']);
const SUFFIXES = ['privatekey', 'keypem', 'passphrase', 'password', 'secret', 'token', 'mnemonic', 'share', 'shares', 'seed'];

/** True when a field of that name must never reach a log. */
export function isSensitiveKey(name: string): boolean {
  const k = name.toLowerCase().replace(/[_-]/g, '');
  return EXACT.has(k) || SUFFIXES.some((s) => k.endsWith(s));
}

/** A copy of `value` with sensitive fields and binary arrays replaced (depth-limited, cycle-safe). */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name}(${(value as { length?: number }).length ?? value.byteLength})]`;
  if (value instanceof ArrayBuffer) return `[ArrayBuffer(${value.byteLength})]`;
  if (value instanceof Error) return value; // pino's err serializer: name, message, stack (messages carry no data by convention)
  if (seen.has(value)) return '[circular]';
  if (depth > 8) return '[deep]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Dates, URLs …: their own serialisation
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSensitiveKey(k) ? REDACTED : redact(v, depth + 1, seen);
  return out;
}

export interface NodeLoggerOptions {
  /** Node name, on every line as `node`. */
  name: string;
  /** Data directory: the file goes to `<logDir ?? dataDir/logs>/node.log`. Omit for no file. */
  dataDir?: string;
  /** Directory of the log file (default `<dataDir>/logs`). */
  logDir?: string;
  /** Also write to stdout (default true). */
  stdout?: boolean;
  /** Minimum level (default "info", or TACIT_LOG_LEVEL). */
  level?: Level;
  /** Extra destination (tests). */
  stream?: DestinationStream;
}

export interface NodeLogger {
  logger: Logger;
  /** The log file, if any. */
  file?: string;
  /** Reopens the log file after rotation. */
  reopen(): void;
  /** Writes out what is buffered (call before exit). */
  flush(): void;
}

export function createNodeLogger(options: NodeLoggerOptions): NodeLogger {
  const streams: { stream: DestinationStream }[] = [];
  let file: string | undefined;
  let fileStream: ReturnType<typeof pino.destination> | undefined;
  if (options.dataDir !== undefined || options.logDir !== undefined) {
    const dir = options.logDir ?? join(options.dataDir!, 'logs');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    file = join(dir, 'node.log');
    fileStream = pino.destination({ dest: file, sync: false, mkdir: true });
    streams.push({ stream: fileStream });
  }
  const stdout = options.stdout !== false ? pino.destination({ dest: 1, sync: false }) : undefined;
  if (stdout) streams.push({ stream: stdout });
  if (options.stream) streams.push({ stream: options.stream });
  const level = options.level ?? (process.env.TACIT_LOG_LEVEL as Level | undefined) ?? 'info';
  const logger = pino(
    {
      level,
      base: { node: options.name, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        log: (obj) => redact(obj) as Record<string, unknown>,
        bindings: (b) => redact(b) as Record<string, unknown>,
      },
    },
    pino.multistream(streams.map((s) => ({ ...s, level: 'trace' as const }))),
  );
  // pino resets formatters.bindings for children: redact a child's bindings on the way in
  // (children are created with Object.create(parent), so theirs inherit this override).
  const baseChild = logger.child;
  Object.defineProperty(logger, 'child', {
    value: function child(this: Logger, bindings: Record<string, unknown>, opts?: Parameters<Logger['child']>[1]) {
      return baseChild.call(this, redact(bindings) as Record<string, unknown>, opts);
    },
  });
  return {
    logger,
    ...(file ? { file } : {}),
    reopen: () => fileStream?.reopen(),
    flush: () => {
      for (const d of [fileStream, stdout]) {
        try {
          d?.flushSync();
        } catch {
          // not ready yet (nothing written): nothing to flush
        }
      }
    },
  };
}
