/**
 * Where a node keeps its things. A node directory holds the secrets and the configuration
 * together (`node.json`, `keystore.json`, `api-token`), so that one directory with mode 0700
 * is the unit an operator protects and backs up; the database and logs live in the data
 * directory, which is the node directory itself unless `dataDir` in node.json says
 * otherwise (a separate volume, say). Relative paths in node.json resolve against the node
 * directory, never against the working directory of whoever runs `tacit`.
 */
import { isAbsolute, join, resolve } from 'node:path';

export const CONFIG_FILE = 'node.json';
export const KEYSTORE_FILE = 'keystore.json';
export const API_TOKEN_FILE = 'api-token';
export const DATABASE_FILE = 'node.db';
export const LOGS_DIR = 'logs';

export interface NodePaths {
  /** The node directory (absolute). */
  dir: string;
  config: string;
  keystore: string;
  apiToken: string;
  /** Data directory (absolute): holds the database and the logs. */
  dataDir: string;
  database: string;
  logs: string;
}

/** `p` resolved against the node directory (absolute paths are kept). */
export function resolveInNodeDir(dir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(dir, p);
}

/** Every path of the node in `dir`, with the data directory from its config (default: `dir`). */
export function nodePaths(dir: string, dataDir = '.'): NodePaths {
  const d = resolve(dir);
  const data = resolveInNodeDir(d, dataDir);
  return {
    dir: d,
    config: join(d, CONFIG_FILE),
    keystore: join(d, KEYSTORE_FILE),
    apiToken: join(d, API_TOKEN_FILE),
    dataDir: data,
    database: join(data, DATABASE_FILE),
    logs: join(data, LOGS_DIR),
  };
}
