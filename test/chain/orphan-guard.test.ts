// A child started under killWithParent dies when its parent is SIGKILLed (no cleanup code can
// run then): the orphan anvils and node daemons that crashed tests used to leave behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const guard = fileURLToPath(new URL('../../src/chain/orphan-guard.js', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a guarded grandchild is ended when its parent is SIGKILLed', { skip: process.platform === 'win32' }, async () => {
  const script = `
    import { spawn } from 'node:child_process';
    import { killWithParent } from ${JSON.stringify(guard)};
    const c = spawn('sleep', ['120'], { stdio: 'ignore' });
    killWithParent(c.pid);
    console.log(c.pid);
    setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  assert.ok(alive(pid), 'the grandchild runs');
  parent.kill('SIGKILL');
  const until = Date.now() + 15_000;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  assert.equal(alive(pid), false, 'the grandchild outlived its parent');
});
