/**
 * An inspector a killed leaktop left open, in the real full-screen monitor: the header names it, and `x` on that
 * process (not attached) closes it and removes its record (issue 14, item 6).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { attachAndKillLeaktop, privateRuntimeDir } from '../helpers/left-open.js';
import { killAllTargets, startNodeTarget } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';
import { selectOnly, startTui } from '../helpers/tui.js';

const runtime = privateRuntimeDir();
after(async () => {
  await killAllTargets();
  rmSync(runtime.dir, { recursive: true, force: true });
});

test('the header shows an inspector a killed leaktop left; x on that process closes it', async () => {
  const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
  const target = await startNodeTarget('idle.cjs', [marker]);
  const { port } = await attachAndKillLeaktop(target.pid, runtime.env);
  assert.deepEqual(ports(target.pid), [port]);

  const term = startTui([], { cols: 200, env: runtime.env });
  try {
    const leftOpen = `${target.pid} 127.0.0.1:${port} left open by a leaktop that died (x closes it)`;
    await term.waitFor(leftOpen, 15_000, 'the header line');
    await selectOnly(term, marker, target);
    term.write('x');
    await term.waitFor(`Detached from ${target.pid}; its inspector is closed`, 15_000, 'closed');
    assert.deepEqual(ports(target.pid), [], 'the port is gone');
    assert.deepEqual(runtime.registryFiles(), [], 'and its record');
    await term.waitFor((t) => !t.screenText().includes(leftOpen), 15_000, 'the header line gone');
    term.write('q');
    await term.waitForExit(10_000);
  } finally {
    await term.dispose();
  }
});
