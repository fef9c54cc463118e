/**
 * Serves the console's built files (Vite's output in dist/console: index.html and hashed
 * assets) on the API's port. These are the same public files for everyone — no data, no
 * secret — so they need no login; everything the page shows comes from the authenticated
 * API. A strict Content-Security-Policy allows only this origin's scripts (no inline
 * script, no eval), no framing, and connections back to this origin only.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** dist/console, beside dist/src (this file is dist/src/node/api/console-static.js). */
export const CONSOLE_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The routes serving the console's files (GET / and GET /assets/:file). */
export function consoleFileRoutes(dir = CONSOLE_DIR): { url: string; handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown> }[] {
  const files = new Map<string, { type: string; body: Buffer }>();
  const load = () => {
    if (files.size || !existsSync(join(dir, 'index.html'))) return;
    files.set('/', { type: TYPES['.html']!, body: readFileSync(join(dir, 'index.html')) });
    const assets = join(dir, 'assets');
    for (const f of existsSync(assets) ? readdirSync(assets) : []) {
      files.set(`/assets/${f}`, { type: TYPES[extname(f)] ?? 'application/octet-stream', body: readFileSync(join(assets, f)) });
    }
  };
  const send = async (url: string, reply: FastifyReply) => {
    load();
    const f = files.get(url);
    if (!f) {
      if (url === '/') return reply.code(503).type('text/plain; charset=utf-8').send('the console is not built: run `npm run build`');
      return reply.code(404).send({ error: 'NotFound', message: `no console file ${url}` });
    }
    reply.header('content-security-policy', CSP).header('x-frame-options', 'DENY').header('referrer-policy', 'no-referrer');
    return reply.type(f.type).send(f.body);
  };
  return [
    { url: '/', handler: (_req, reply) => send('/', reply) },
    { url: '/assets/:file', handler: (req, reply) => send(`/assets/${(req.params as { file: string }).file}`, reply) },
  ];
}
