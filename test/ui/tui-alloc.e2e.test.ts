/**
 * Allocation sampling in the real full-screen monitor, in a pty at 80x24: `p` starts V8's sampler and shows the
 * sites of live memory, `t` groups by stack, `m` compares to a mark, `p` stops it; `x`, quitting and the target
 * exiting all leave no sampler running. The target (alloc-sites.cjs) says itself whether its sampler runs.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { KEYS, PtyTerminal } from '../helpers/pty-terminal.js';
import { askSampling, functionLine } from '../helpers/sampling-probe.js';
import { killAllTargets, startNodeTarget, type Target } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';
import { startTui } from '../helpers/tui.js';

after(killAllTargets);

const LEAK_SITE = `alloc-sites.cjs:${functionLine('alloc-sites.cjs', 'leakSessions')} leakSessions`;

async function attachOnly(term: PtyTerminal, marker: string, target: Target): Promise<void> {
  await term.waitFor((t) => t.screenText().includes('Node.js process'), 10_000, 'the header');
  term.write('/');
  await term.waitFor('Filter: _');
  term.write(`${marker}\r`);
  await term.waitFor((t) => t.screenLines().some((l) => l.trimStart().startsWith(`${target.pid} `)) && !t.screenText().includes('Filter: _'), 10_000, 'the target alone');
  term.write('a');
  await term.waitFor(/INSPECTOR OPEN 127\.0\.0\.1:\d+/, 10_000, 'attached');
}

/** The first row under the column titles of the allocation view. */
function firstRow(term: PtyTerminal): string | undefined {
  const lines = term.screenLines();
  const header = lines.findIndex((l) => /^\s*(BYTES|GROWTH)\s/.test(l));
  return header < 0 ? undefined : lines[header + 1];
}

describe('allocation sampling in the TUI', () => {
  it('p shows the leaking function first; t by stack; m compares; p stops; x and q leave nothing running', async () => {
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const target = await startNodeTarget('alloc-sites.cjs', [marker]);
    const term = startTui(['--yes'], { cols: 80, rows: 24 });
    try {
      await attachOnly(term, marker, target);
      term.write('p');
      await term.waitFor(/PID \d+: sampling every 128 KiB \(i\)/, 10_000, 'the allocation view');
      assert.equal(await askSampling(target), 'active');
      await term.waitFor((t) => firstRow(t)?.includes(LEAK_SITE) === true, 15_000, 'the leak as the first site');
      assert.match(firstRow(term)!, /^\s*\S+\s+\d+\.\d%\s+\S/, 'bytes and share');
      assert.ok(!term.screenText().includes('makeGarbage'), 'garbage is not live memory');
      assert.ok(term.screenLines().every((l) => l.length <= 80));
      assert.match(term.screenText(), /Esc Back\s+p Stop\/Start\s+t By stack\/line\s+m Mark\/Unmark/, 'the keys in the footer');

      term.write('t');
      await term.waitFor((t) => /by stack \(t\)/.test(t.screenText()) && (firstRow(t)?.includes(`${LEAK_SITE} < node:`) ?? false), 10_000, 'grouped by stack');
      term.write('t');
      await term.waitFor(/by function \(t\)/, 10_000, 'back to by function');

      term.write('m');
      await term.waitFor(/Growth since the mark/, 10_000, 'the compare mode');
      await term.waitFor((t) => /^\s*\+\S+\s+\S+\s+\S+\s+.*leakSessions/.test(firstRow(t) ?? ''), 15_000, 'the leak grows since the mark');
      term.write('m');
      await term.waitFor((t) => !t.screenText().includes('Growth since the mark'), 10_000, 'the mark cleared');

      term.write('p');
      await term.waitFor(/PID \d+: STOPPED/, 10_000, 'stopped, the last profile kept');
      assert.ok(firstRow(term)?.includes(LEAK_SITE));
      assert.equal(await askSampling(target), 'inactive', 'p stopped the sampler while still attached');
      assert.equal(ports(target.pid).length, 1, 'still attached');

      term.write('p');
      await term.waitFor(/PID \d+: sampling every/, 10_000, 'sampling again');
      assert.equal(await askSampling(target), 'active');
      term.write('x');
      await term.waitFor(`Detached from ${target.pid}; its inspector is closed`, 10_000, 'the detach');
      assert.match(term.screenText(), /No allocation sampling on this process/);
      assert.equal(await askSampling(target), 'inactive', 'x stopped the sampler');
      assert.deepEqual(ports(target.pid), []);

      term.write(KEYS.escape);
      await term.waitFor((t) => !t.screenText().includes('No allocation sampling'), 10_000, 'back to the table');
      term.write('a');
      await term.waitFor(/INSPECTOR OPEN 127\.0\.0\.1:\d+/, 10_000, 'attached again');
      term.write('p');
      await term.waitFor(/PID \d+: sampling every/, 10_000, 'sampling again');
      term.write('i');
      await term.waitFor(/PID \d+: sampling every 512 KiB/, 10_000, 'the next interval');
      assert.equal(await askSampling(target), 'active');
      term.write('q');
      assert.equal((await term.waitForExit(10_000)).exitCode, 0);
      assert.equal(await askSampling(target), 'inactive', 'quitting stopped the sampler');
      assert.deepEqual(ports(target.pid), []);
    } finally {
      await term.dispose();
    }
  });

  it('the target exiting while sampled ends the session and the view says so', async () => {
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const target = await startNodeTarget('alloc-sites.cjs', [marker]);
    const term = startTui(['--yes'], { cols: 80, rows: 24 });
    try {
      await attachOnly(term, marker, target);
      term.write('p');
      await term.waitFor(/PID \d+: sampling every/, 10_000, 'the allocation view');
      await target.kill();
      await term.waitFor(`The inspector session with ${target.pid} ended`, 10_000, 'the session ended');
      assert.match(term.screenText(), /No allocation sampling on this process/);
      term.write('q');
      assert.equal((await term.waitForExit(10_000)).exitCode, 0);
    } finally {
      await term.dispose();
    }
  });
});
