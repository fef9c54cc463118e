/**
 * Console sessions on a real fastify server over a real store: login with the token or a
 * one-time code sets an HttpOnly, SameSite=Strict cookie (and never echoes the token); a
 * wrong token or a spent code is refused; the cookie reads but changes state only with the
 * CSRF header; the code route takes the bearer token only; logout ends the session; the
 * event stream needs a login and sends the task list; the console page is served with a CSP.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { datasetActions } from '../../src/node/api/actions.js';
import { startApi, type RunningApi } from '../../src/node/api/server.js';
import { createApiToken } from '../../src/node/api-token.js';
import { NodeStore } from '../../src/node/store/index.js';
import { cookieValue, createSessionStore } from '../../src/node/api/session.js';
import { tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let store: NodeStore;
let api: RunningApi;
let token: string;

before(async () => {
  tmp = tempDir();
  store = NodeStore.open(join(tmp.dir, 'node.db'));
  token = createApiToken(tmp.dir);
  api = await startApi({
    host: '127.0.0.1', port: 0, token, store, actions: datasetActions({ store }),
    info: () => ({ name: 'n', address: `0x${'11'.repeat(20)}`, fingerprint: 'ab'.repeat(32), roles: ['data'], peer: { host: '127.0.0.1', port: 1, endpoint: '127.0.0.1:1' }, chainId: 1, contracts: {} }),
  });
});
after(async () => {
  await api?.close();
  store?.close();
  tmp?.cleanup();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function login(body: unknown): Promise<{ status: number; cookie?: string; setCookie: string; text: string }> {
  const r = await post('/session', body);
  const setCookie = r.headers.get('set-cookie') ?? '';
  const value = cookieValue(setCookie.split(';')[0], 'tacit_session');
  return { status: r.status, setCookie, text: await r.text(), ...(value ? { cookie: `tacit_session=${value}` } : {}) };
}

describe('console sessions', () => {
  it('a wrong token is refused with 401 and no cookie; the right one sets an HttpOnly, SameSite=Strict cookie', async () => {
    const wrong = await login({ token: 'f'.repeat(64) });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.setCookie, '');
    assert.match(wrong.text, /wrong API token/);
    const ok = await login({ token });
    assert.equal(ok.status, 200);
    assert.match(ok.setCookie, /HttpOnly/);
    assert.match(ok.setCookie, /SameSite=Strict/);
    assert.ok(!ok.setCookie.includes(token) && !ok.text.includes(token), 'the token is never echoed');
    const who = await fetch(`${api.url}/session`, { headers: { cookie: ok.cookie! } });
    assert.deepEqual(await who.json(), { authenticated: true, via: 'cookie' });
    assert.equal((await fetch(`${api.url}/session`)).status, 401);
    assert.equal((await fetch(`${api.url}/session`, { headers: { cookie: 'tacit_session=forged' } })).status, 401);
    assert.equal((await login({})).status, 400);
    assert.equal((await login({ token, code: 'x' })).status, 400);
  });

  it('a cookie changes state only with the CSRF header', async () => {
    const { cookie } = await login({ token });
    const body = { name: 'd', path: '/nonexistent.csv', idColumn: 'id' };
    const bare = await post('/datasets', body, { cookie: cookie! });
    assert.equal(bare.status, 401);
    assert.match(((await bare.json()) as { message: string }).message, /x-tacit-console/);
    // with the header the request passes authentication and reaches validation (no such file)
    const withHeader = await post('/datasets', body, { cookie: cookie!, 'x-tacit-console': '1' });
    assert.equal(withHeader.status, 400);
    assert.equal(((await withHeader.json()) as { error: string }).error, 'ImportFileError');
  });

  it('one-time codes: minted with the bearer token only, good once', async () => {
    const { cookie } = await login({ token });
    assert.equal((await post('/session/codes', {}, { cookie: cookie!, 'x-tacit-console': '1' })).status, 401, 'a session cannot mint codes');
    const minted = await post('/session/codes', {}, { authorization: `Bearer ${token}` });
    assert.equal(minted.status, 200);
    const { code } = (await minted.json()) as { code: string };
    const first = await login({ code });
    assert.equal(first.status, 200);
    assert.ok(first.cookie);
    const again = await login({ code });
    assert.equal(again.status, 401);
    assert.match(again.text, /unknown, used or expired/);
  });

  it('logout ends the session', async () => {
    const { cookie } = await login({ token });
    const out = await fetch(`${api.url}/session`, { method: 'DELETE', headers: { cookie: cookie!, 'x-tacit-console': '1' } });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal((await fetch(`${api.url}/session`, { headers: { cookie: cookie! } })).status, 401);
  });

  it('the event stream needs a login and sends the task list', async () => {
    assert.equal((await fetch(`${api.url}/events`)).status, 401);
    const { cookie } = await login({ token });
    const ac = new AbortController();
    const r = await fetch(`${api.url}/events`, { headers: { cookie: cookie! }, signal: ac.signal });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = r.body!.getReader();
    let text = '';
    while (!text.includes('event: datasets')) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    assert.match(text, /event: tasks\ndata: \{"tasks":\[\]\}/);
  });

  it('the console page is public, with a strict CSP; chain routes answer 503 without a chain', async () => {
    const page = await fetch(`${api.url}/`);
    if (page.status === 200) {
      assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      assert.match(await page.text(), /<div id="app">/);
    } else assert.equal(page.status, 503); // console not built (tsc-only build)
    const { cookie } = await login({ token });
    assert.equal((await fetch(`${api.url}/chain/network`, { headers: { cookie: cookie! } })).status, 503);
    assert.equal((await fetch(`${api.url}/chain/network`)).status, 401);
  });

  it('expired sessions and codes are refused (clock moved on)', () => {
    let t = 0;
    const s = createSessionStore(() => t);
    const { id } = s.open();
    const { code } = s.mintCode();
    t += 13 * 3600 * 1000;
    assert.equal(s.valid(`tacit_session=${id}`), false);
    assert.equal(s.redeem(code), false);
  });
});
