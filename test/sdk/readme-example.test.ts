// The README's SDK example imports from the package's entry point ('tacit' → its `exports`):
// every name it imports must be exported there, and each action it calls takes the client
// first, as the SDK's actions do (a drift here is what a new requester copies first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test("the README's SDK example imports only what the package exports, and passes the client to each action", async () => {
  const readme = readFileSync(root + 'README.md', 'utf8');
  const block = /```js\n([\s\S]*?from 'tacit';[\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has a js block importing from tacit');
  const names = /import \{([^}]*)\} from 'tacit'/.exec(block)![1]!.split(',').map((s) => s.trim()).filter(Boolean);
  const pkg = JSON.parse(readFileSync(root + 'package.json', 'utf8')) as { exports: Record<string, string> };
  const sdk = (await import(root + pkg.exports['.']!)) as Record<string, unknown>;
  for (const n of names) assert.equal(typeof sdk[n], 'function', `${n} is exported by the package entry`);
  for (const call of block.matchAll(/await (\w+)\(([^,)]*)/g)) {
    if (call[1] === 'createTacitClient' || call[1] === 'generateBoxKeyPair') continue;
    assert.equal(call[2]!.trim(), 'client', `${call[1]} takes the client first in the README`);
  }
});
