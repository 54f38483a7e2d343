/**
 * Never block (issue 13), in the real full-screen monitor at 80x24: while the diff of two snapshots is computed in
 * the analysis worker, the table still answers j/k and q quits at once — ending the worker and closing the
 * inspector leaktop opened. The diff is kept computing by the test hook LEAKTOP_TEST_ANALYSIS_DELAY_MS
 * (analysis/protocol.ts), as a diff of two large snapshots would.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, test } from 'node:test';
import { KEYS, PtyTerminal } from '../helpers/pty-terminal.js';
import { processRows } from '../helpers/tui.js';
import { killAllTargets, leaktopBin, startNodeTarget } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

/**
 * Deadlines: generous, as a busy machine (both cores taken) makes leaktop's start, its snapshots and its quit
 * (which closes the inspector it opened) several times slower. The tests wait for what they need, never for a time.
 */
const STEP_MS = 60_000;
const LONG_STEP_MS = 180_000;
const bounded = { timeout: 600_000 };

/** PIDs of the table rows, and the highlighted (inverse video) one. */
function tableRows(term: PtyTerminal): number[] {
  return processRows(term).map((r) => r.pid);
}
function selectedPid(term: PtyTerminal): number | undefined {
  const inverse = new Set(term.inverseRows());
  return processRows(term).find((r) => inverse.has(r.y))?.pid;
}

test('j/k and q answer while a diff is being computed; q ends it and closes the inspector', bounded, async () => {
  const dir = tempDir('leaktop-tui-analysis-');
  const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
  const targets = [await startNodeTarget('idle.cjs', [marker]), await startNodeTarget('idle.cjs', [marker])];
  const pids = targets.map((t) => t.pid);
  const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8', LEAKTOP_TEST_ANALYSIS_DELAY_MS: '600000' };
  delete env.NO_COLOR;
  const term = PtyTerminal.spawn(process.execPath, [leaktopBin, '--interval', '0.5', '--yes'], { cols: 80, rows: 24, cwd: dir, env });
  try {
    await term.waitFor((t) => t.screenText().includes('Node.js process'), STEP_MS, 'the header');
    term.write('/');
    await term.waitFor('Filter: _', STEP_MS);
    term.write(`${marker}\r`);
    // The highlight drawn too: the selection is what `s` acts on.
    await term.waitFor((t) => tableRows(t).length === 2 && pids.every((p) => tableRows(t).includes(p)) && !t.screenText().includes('Filter: _') && selectedPid(t) !== undefined, STEP_MS, 'the two targets alone, one selected');
    const first = selectedPid(term)!;
    const other = pids.find((p) => p !== first)!;
    assert.ok(pids.includes(first), term.describeScreen());
    term.write('s');
    await term.waitFor(/Saved leaktop-\d+-\d+-\d+\.heapsnapshot/, STEP_MS, 'the first snapshot');
    term.write('s');
    await term.waitFor('d compares the last two', STEP_MS, 'the second snapshot');
    term.write('d');
    await term.waitFor(`Comparing the last two snapshots of PID ${first}`, STEP_MS, 'the diff view: under way');
    assert.match(term.screenText(), /Keys work meanwhile/);
    term.write(KEYS.escape);
    await term.waitFor((t) => selectedPid(t) === first, STEP_MS, 'back to the table');
    term.write('j');
    await term.waitFor((t) => selectedPid(t) === other, STEP_MS, 'j moves the selection during the diff');
    term.write('k');
    await term.waitFor((t) => selectedPid(t) === first, STEP_MS, 'k moves it back');
    assert.match(term.screenText(), /Comparing the last two snapshots/, 'the diff is still being computed');
    assert.ok(ports(first).length > 0, 'attached meanwhile');
    term.write('q');
    const exit = await term.waitForExit(STEP_MS);
    assert.equal(exit.exitCode, 0);
    assert.deepEqual(ports(first), [], 'the inspector leaktop opened is closed');
  } finally {
    await term.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('L closes the inspector it opened before its analysis; q during the analysis ends leaktop at once, nothing left', bounded, async () => {
  const dir = tempDir('leaktop-tui-analysis-');
  const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
  const target = await startNodeTarget('idle.cjs', [marker]);
  const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8', LEAKTOP_TEST_ANALYSIS_DELAY_MS: '600000' };
  delete env.NO_COLOR;
  const term = PtyTerminal.spawn(process.execPath, [leaktopBin, '--interval', '0.5', '--yes', '--leak-interval', '1'], { cols: 80, rows: 24, cwd: dir, env });
  try {
    await term.waitFor((t) => t.screenText().includes('Node.js process'), STEP_MS, 'the header');
    term.write('/');
    await term.waitFor('Filter: _', STEP_MS);
    term.write(`${marker}\r`);
    await term.waitFor((t) => tableRows(t).length === 1 && tableRows(t)[0] === target.pid && !t.screenText().includes('Filter: _'), STEP_MS, 'the target alone');
    term.write('L');
    await term.waitFor('finding the candidates', LONG_STEP_MS, 'the analysis after the third snapshot');
    assert.deepEqual(ports(target.pid), [], 'the inspector L opened is closed while it analyses');
    assert.equal(readdirSync(tmpdir()).filter((f) => f.startsWith(`leaktop-leaks-${term.pid}-`)).length, 1, 'its work directory is there');
    term.write('q');
    const exit = await term.waitForExit(STEP_MS);
    assert.equal(exit.exitCode, 0);
    assert.deepEqual(readdirSync(tmpdir()).filter((f) => f.startsWith(`leaktop-leaks-${term.pid}-`)), [], 'and gone after q');
  } finally {
    await term.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
