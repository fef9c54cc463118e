/**
 * The OpenAPI 3.1 document of the node API, generated from the same route table and JSON
 * Schemas fastify validates and serialises with, so the document cannot drift from the
 * code. OpenAPI 3.1 schemas are JSON Schema 2020-12, which covers everything the route
 * schemas use (type arrays for nullables included); shared schemas become components and
 * are referenced with $ref.
 */
import { NAMED_SCHEMAS } from './schemas.js';

export interface RouteSchema {
  params?: object;
  querystring?: object;
  body?: object;
  response: Record<number, object>;
}

export interface RouteDoc {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** fastify path (`/tasks/:id`). */
  url: string;
  operationId: string;
  summary: string;
  tag: string;
  auth: boolean;
  /** With auth: only the bearer token will do, not a console session cookie. */
  bearerOnly?: boolean;
  schema: RouteSchema;
  /** Content type of the 200 answer (default application/json). */
  produces?: string;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad request (the body names the problem; a bad CSV lists every bad line)',
  401: 'Missing or wrong bearer token (or console session)',
  404: 'Not found',
  409: 'Conflicts with the node state',
  500: 'Internal error',
  502: 'The chain refused or could not be reached',
  503: 'The node cannot do this now (e.g. no chain connection)',
};

/** Replaces shared schema objects (by identity) with $refs, recursively. */
function withRefs(schema: unknown, top = true): unknown {
  if (schema === null || typeof schema !== 'object') return schema;
  const name = NAMED_SCHEMAS.get(schema);
  if (name && !top) return { $ref: `#/components/schemas/${name}` };
  if (Array.isArray(schema)) return schema.map((s) => withRefs(s, false));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = withRefs(v, false);
  return out;
}

export function buildOpenApi(routes: readonly RouteDoc[], info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    const add = (schema: object | undefined, where: 'path' | 'query') => {
      const s = schema as { properties?: Record<string, object>; required?: string[] } | undefined;
      for (const [name, p] of Object.entries(s?.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (s?.required ?? []).includes(name), schema: withRefs(p, false) });
      }
    };
    add(r.schema.params, 'path');
    add(r.schema.querystring, 'query');
    const responses: Record<string, unknown> = {};
    for (const [code, schema] of Object.entries(r.schema.response)) {
      const type = Number(code) < 300 && r.produces ? r.produces : 'application/json';
      responses[code] = { description: REASONS[Number(code)] ?? 'Response', content: { [type]: { schema: withRefs(schema, false) } } };
    }
    paths[path] ??= {};
    paths[path]![r.method.toLowerCase()] = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      security: r.auth ? (r.bearerOnly ? [{ bearerAuth: [] }] : [{ bearerAuth: [] }, { consoleSession: [] }]) : [],
      ...(parameters.length ? { parameters } : {}),
      ...(r.schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: withRefs(r.schema.body, false) } } } } : {}),
      responses,
    };
  }
  const schemas: Record<string, unknown> = {};
  for (const [schema, name] of NAMED_SCHEMAS) schemas[name] = withRefs(schema, true);
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'Admin API of a Tacit node. Routes that change state or return results need `Authorization: Bearer <token>` ' +
        '(the token is in <node dir>/api-token) or a console session cookie (POST /session). Keep this API on loopback or an admin network: it is not the peer port.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: '64 hex digits from <node dir>/api-token' },
        consoleSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'tacit_session',
          description: 'the console session from POST /session (HttpOnly, SameSite=Strict); requests other than GET must also send the header X-Tacit-Console: 1',
        },
      },
    },
  };
}
