/**
 * The bearer token of a node's admin API: 32 random bytes as 64 hex digits in
 * `<dir>/api-token` (mode 0600), created once by `tacit node init`. Whoever can read that
 * file can import and publish datasets and read results, so it is a secret like the
 * keystore; local tools (`tacit data …`) read it from the node directory, remote admin
 * tools get it out of band. Rotating it is: stop the node, replace the file, start.
 */
import { randomBytes } from 'node:crypto';
import { ApiTokenError } from './errors.js';
import { nodePaths } from './paths.js';
import { readSecretFile, writeSecretFile } from './secret-file.js';

const TOKEN = /^[0-9a-f]{64}$/;

/** Creates `<dir>/api-token` with a fresh token and returns it. Refuses to overwrite. */
export function createApiToken(dir: string): string {
  const token = randomBytes(32).toString('hex');
  writeSecretFile(nodePaths(dir).apiToken, `${token}\n`);
  return token;
}

/** Reads and checks `<dir>/api-token` (owner-only permissions, 64 hex digits). */
export function readApiToken(dir: string): string {
  const path = nodePaths(dir).apiToken;
  let text: string;
  try {
    text = readSecretFile(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ApiTokenError(`no API token at ${path}`, { hint: 'is --dir the node directory made by `tacit node init`?', cause });
    }
    throw cause;
  }
  const token = text.trim();
  if (!TOKEN.test(token)) throw new ApiTokenError(`${path} does not hold an API token (64 lower-case hex digits)`);
  return token;
}
