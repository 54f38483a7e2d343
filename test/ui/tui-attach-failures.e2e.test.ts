/**
 * Attach failures in the real full-screen monitor (issue 14): an attach that fails leaves later attaches working,
 * and quitting while an attached process is stopped says which inspector is still open.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { KEYS } from '../helpers/pty-terminal.js';
import { killAllTargets, startNodeTarget } from '../helpers/targets.js';
import { selectOnly, startTui } from '../helpers/tui.js';
import { ports } from '../helpers/ports.js';

after(killAllTargets);

describe('attach failures in the TUI', () => {
  it('an attach whose target exits as its inspector moves fails with a status line, and the next a on a healthy process attaches', { timeout: 90_000 }, async () => {
    const dyingMarker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const healthyMarker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const dying = await startNodeTarget('exit-after-inspector.cjs', ['0', 'moved', dyingMarker]);
    const healthy = await startNodeTarget('idle.cjs', [healthyMarker]);
    const term = startTui(['--yes']);
    try {
      await selectOnly(term, dyingMarker, dying);
      term.write('a');
      await term.waitFor(new RegExp(`process '${dying.pid}' exited`), 30_000, 'the failure in the status line');
      term.write('/');
      await term.waitFor(/Filter: .*_/);
      term.write(KEYS.escape);
      // Wait for the Esc on its own: a key right after it would read as Alt+key.
      await term.waitFor((t) => !t.screenText().includes(dyingMarker), 10_000, 'the filter cleared');
      await selectOnly(term, healthyMarker, healthy);
      term.write('a');
      // Before the fix the activation queue stayed stuck: the row showed `*` and no inspector ever opened.
      await term.waitFor(/INSPECTOR OPEN 127\.0\.0\.1:\d+/, 30_000, 'the badge of the healthy process');
      assert.equal(ports(healthy.pid).length, 1);
      term.write('x');
      await term.waitFor(`Detached from ${healthy.pid}; its inspector is closed`, 10_000, 'the detach');
    } finally {
      await term.dispose();
    }
  });

  it('q while an attached process is stopped: leaktop exits 1 and says which inspector still listens', { timeout: 90_000 }, async () => {
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const target = await startNodeTarget('idle.cjs', [marker]);
    const term = startTui(['--yes']);
    try {
      await selectOnly(term, marker, target);
      term.write('a');
      await term.waitFor(/INSPECTOR OPEN 127\.0\.0\.1:\d+/, 30_000, 'the badge');
      const port = Number(/INSPECTOR OPEN 127\.0\.0\.1:(\d+)/.exec(term.screenText())![1]);
      process.kill(target.pid, 'SIGSTOP');
      const deadline = Date.now() + 10_000;
      while (!/\) T /.test(readFileSync(`/proc/${target.pid}/stat`, 'latin1')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      term.write('q');
      const exit = await term.waitForExit(30_000);
      assert.equal(exit.exitCode, 1);
      assert.ok(!term.isAlternateScreen());
      assert.match(term.rawText(), new RegExp(`leaktop: could not close the inspector of process ${target.pid} \\(it is stopped\\): it still listens on 127\\.0\\.0\\.1:${port}`));
      process.kill(target.pid, 'SIGCONT');
      const closed = Date.now() + 10_000;
      while (ports(target.pid).length > 0 && Date.now() < closed) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(ports(target.pid), [], 'the queued close ran on SIGCONT');
    } finally {
      await term.dispose();
    }
  });
});
