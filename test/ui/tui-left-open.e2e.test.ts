/**
 * An inspector a killed leaktop left open, in the real full-screen monitor: the header names it, and `x` on that
 * process (not attached) closes it and removes its record (issue 14, item 6).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { listeningPorts } from '../../src/inspector/find-inspector-port.js';
import { isUnavailable } from '../../src/proc/read-file.js';
import { attachAndKillLeaktop, privateRuntimeDir } from '../helpers/left-open.js';
import { KEYS, PtyTerminal } from '../helpers/pty-terminal.js';
import { killAllTargets, leaktopBin, repoRoot, startNodeTarget } from '../helpers/targets.js';

const runtime = privateRuntimeDir();
after(async () => {
  await killAllTargets();
  rmSync(runtime.dir, { recursive: true, force: true });
});

const ports = (pid: number) => {
  const found = listeningPorts(pid);
  return isUnavailable(found) ? [] : found;
};

test('the header shows an inspector a killed leaktop left; x on that process closes it', async () => {
  const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
  const target = await startNodeTarget('idle.cjs', [marker]);
  const { port } = await attachAndKillLeaktop(target.pid, runtime.env);
  assert.deepEqual(ports(target.pid), [port]);

  const env: Record<string, string | undefined> = { ...runtime.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
  delete env.NO_COLOR;
  const term = PtyTerminal.spawn(process.execPath, [leaktopBin, '--interval', '0.5'], { cols: 200, rows: 30, cwd: repoRoot, env });
  try {
    const leftOpen = `${target.pid} 127.0.0.1:${port} left open by a leaktop that died (x closes it)`;
    await term.waitFor(leftOpen, 15_000, 'the header line');
    term.write('/');
    await term.waitFor('Filter: _');
    term.write(marker);
    await term.waitFor(`Filter: ${marker}_`);
    term.write(KEYS.enter);
    await term.waitFor((t) => t.screenLines().some((l) => l.trimStart().startsWith(`${target.pid} `)) && !t.screenText().includes('Filter: _'), 10_000, 'the target alone');
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
