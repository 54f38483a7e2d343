/**
 * The TUI on a process in network and PID namespaces of its own (as in a container), in a memory cgroup: `a`
 * attaches through the relay, `g` collects, `s` twice then `d` diff, `x` closes what it opened inside that namespace; quitting
 * leaves no relay and nothing listening there.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { privateRuntimeDir } from '../helpers/left-open.js';
import { makeMemoryCgroup, memoryCgroupUnavailable, removeAllMemoryCgroups } from '../helpers/memory-cgroup.js';
import { namespaceListeningPorts, namespacesUnavailable, relayPids, startNamespacedTarget } from '../helpers/netns-target.js';
import { ports } from '../helpers/ports.js';
import { PtyTerminal } from '../helpers/pty-terminal.js';
import { waitFor } from '../helpers/signal-log.js';
import { killAllTargets, leaktopBin } from '../helpers/targets.js';
import { selectOnly } from '../helpers/tui.js';
import { tempDir } from '../helpers/temp-dir.js';

const runtime = privateRuntimeDir();
const skip = namespacesUnavailable() ?? memoryCgroupUnavailable() ?? false;

after(async () => {
  try {
    await killAllTargets();
    await removeAllMemoryCgroups();
  } finally {
    rmSync(runtime.dir, { recursive: true, force: true });
  }
});

describe('the TUI on a process in another network namespace', { skip }, () => {
  it('a attaches, g collects, s snapshots twice, d diffs, x closes its inspector there; q leaves no relay', async () => {
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const cgroup = makeMemoryCgroup('tui-netns');
    const target = await startNamespacedTarget('leak-mix.cjs', [marker], cgroup);
    const dir = tempDir('leaktop-tui-netns-');
    const env: Record<string, string | undefined> = { ...runtime.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
    delete env.NO_COLOR;
    const term = PtyTerminal.spawn(process.execPath, [leaktopBin, '--interval', '0.5'], { cols: 120, rows: 30, cwd: dir, env });
    try {
      await selectOnly(term, marker, target);
      term.write('a');
      await term.waitFor(`Attach to PID ${target.pid}`, 10_000, 'the confirmation');
      term.write('y');
      await term.waitFor(/INSPECTOR OPEN 127\.0\.0\.1:\d+/, 15_000, 'the badge');
      const port = Number(/INSPECTOR OPEN 127\.0\.0\.1:(\d+)/.exec(term.screenText())![1]);
      assert.deepEqual(ports(target.pid), [port], "the badge names the port that listens in the target's namespace");
      assert.equal(relayPids().length, 1, 'reached through one relay');
      term.write('g');
      await term.waitFor(new RegExp(`GC in ${target.pid}: freed \\d+ KiB in \\d+ ms`), 15_000, 'the GC result');

      term.write('s');
      await term.waitFor(/FROZEN for about \d+ s/, 10_000, 'the cost in the question');
      term.write('y');
      await term.waitFor(/Saved leaktop-\d+-\d+-\d+\.heapsnapshot/, 30_000, 'the first snapshot');
      await new Promise((r) => setTimeout(r, 600)); // the leak-mix target leaks per 100 ms tick: let it grow
      term.write('s');
      await term.waitFor(/FROZEN/, 10_000, 'the question again');
      term.write('y');
      await term.waitFor('d compares the last two', 30_000, 'the second snapshot');
      assert.equal(readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot')).length, 2);
      term.write('d');
      await term.waitFor((t) => t.screenLines().some((l) => /LeakedSession$/.test(l.trimEnd())), 15_000, 'the leaked class in the diff view');
      term.write('\x1b');
      await term.waitFor((t) => !t.screenText().includes('RET+ CONSTRUCTOR'), 10_000, 'back to the table');

      term.write('x');
      await term.waitFor(`Detached from ${target.pid}; its inspector is closed`, 10_000, 'the detach');
      assert.deepEqual(namespaceListeningPorts(target.pid), [], 'closed inside its namespace');
      term.write('q');
      assert.equal((await term.waitForExit(10_000)).exitCode, 0);
      await waitFor(() => relayPids().length === 0, 'the relay to exit');
      assert.deepEqual(namespaceListeningPorts(target.pid), []);
      assert.deepEqual(runtime.registryFiles(), []);
    } finally {
      await term.dispose();
      rmSync(dir, { recursive: true, force: true });
      await target.kill();
      await cgroup.remove();
    }
  });
});
