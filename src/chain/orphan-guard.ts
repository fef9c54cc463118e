/**
 * Children that outlive a crashed parent are the worst kind of leak on a shared machine: an
 * anvil or a node daemon started by a test, a sandbox or `tacit run` keeps polling (and
 * holding ports) after the process that would have stopped it was killed. Linux would kill
 * them with PR_SET_PDEATHSIG, which Node does not expose; instead a tiny detached shell
 * watches this process and, when it is gone, sends SIGTERM to the child (then SIGKILL).
 * A normal stop kills the child first, and the watcher then exits on its own.
 */
import { spawn } from 'node:child_process';

/** Ends `childPid` when this process dies; a no-op where there is no POSIX shell. */
export function killWithParent(childPid: number | undefined): void {
  if (!childPid || process.platform === 'win32') return;
  const parent = process.pid;
  const script = `while kill -0 ${parent} 2>/dev/null && kill -0 ${childPid} 2>/dev/null; do sleep 1; done; ` +
    `if kill -0 ${childPid} 2>/dev/null; then kill -TERM ${childPid} 2>/dev/null; sleep 3; kill -KILL ${childPid} 2>/dev/null; fi`;
  try {
    const w = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
    w.on('error', () => {});
    w.unref();
  } catch {
    // no shell: nothing to guard with
  }
}
