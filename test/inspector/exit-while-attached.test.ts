/**
 * A process leaktop is attached to can still stop. A process with a connected inspector session waits at exit
 * ("Waiting for the debugger to disconnect...") until every session has gone — Node 18 and 20 for any session, Node
 * 22 and later once the session has sent a request, as this one has (heapUsage) — so a service that leaktop watches
 * in the TUI would hang on systemd's SIGTERM until SIGKILL. The session asks to be told
 * (NodeRuntime.notifyWhenWaitingForDisconnect) and lets it go: every version here needs it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { fixture, killAllTargets, repoRoot, startTarget } from '../helpers/targets.js';
import { attachWhen9229Free } from '../helpers/attach.js';
import { waitFor } from '../helpers/signal-log.js';

after(killAllTargets);

const binaries: Array<[string, string]> = [
  ['18', `${repoRoot}node_modules/node18/bin/node`],
  ['20', process.execPath],
  ['22', `${repoRoot}node_modules/node22/bin/node`],
  ['24', `${repoRoot}node_modules/node24/bin/node`],
  ['26', `${repoRoot}node_modules/node26/bin/node`],
];

describe('a process leaktop is attached to exits when it is asked to stop', () => {
  for (const [major, bin] of binaries) {
    it(`Node ${major}: SIGTERM → process.exit(0) while the session is held`, { skip: !existsSync(bin) && `no ${bin} (npm ci)`, timeout: 60_000 }, async () => {
      const target = await startTarget(bin, [fixture('graceful-exit.cjs')]);
      const exited = once(target.child, 'exit');
      const session = await attachWhen9229Free(target.pid);
      try {
        assert.ok((await session.heapUsage()).usedBytes > 0, 'the session works before the stop');
        process.kill(target.pid, 'SIGTERM');
        // Without the fix, Node 18/20 wait here for as long as the session stays open.
        let code: number | null = null;
        void exited.then(([exitCode]) => (code = exitCode as number | null));
        await waitFor(() => code !== null, `process ${target.pid} (Node ${major}) to exit while leaktop is attached`, 20_000);
        assert.equal(code, 0);
      } finally {
        await session.detach();
      }
    });
  }
});
