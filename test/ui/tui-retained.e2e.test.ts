/**
 * Why it is still alive, in the real full-screen monitor at 80x24: in the diff view, Enter on the leaked constructor
 * opens its objects (new ones first, shallow and retained size) and the grouped retainer path that names its Map;
 * Esc goes back. `L` asks first (n leaves the process alone, i changes the interval), and runs the three-snapshot
 * leak check with a countdown, then lists the candidates with their paths.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, describe, it } from 'node:test';
import { KEYS, PtyTerminal } from '../helpers/pty-terminal.js';
import { assertNoSigusr1, stdoutOf, waitFor } from '../helpers/signal-log.js';
import { killAllTargets, leaktopBin, startNodeTarget, type Target } from '../helpers/targets.js';
import { selectOnly } from '../helpers/tui.js';
import { ports } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

/**
 * Deadlines for what leaktop does (snapshots, the diff and its retained sizes, the leak check): generous, as a busy
 * machine (both cores taken) makes each step several times slower. The tests wait for what they need, never for a
 * time, so a quiet machine does not wait them out.
 */
const STEP_MS = 60_000;
const LONG_STEP_MS = 180_000;
const bounded = { timeout: 600_000 };

/** How many LeakedSession objects leak-mix.cjs has made so far (it prints the count on SIGUSR2). */
async function leakedSoFar(target: Target, log: () => string): Promise<number> {
  const before = log().length;
  process.kill(target.pid, 'SIGUSR2');
  let count: number | undefined;
  await waitFor(() => {
    const match = /leaked (\d+)\n/.exec(log().slice(before));
    count = match ? Number(match[1]) : undefined;
    return count !== undefined;
  }, 'the leak count', STEP_MS);
  return count!;
}

function startLeaktop(cwd: string, args: string[]): PtyTerminal {
  const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
  delete env.NO_COLOR;
  return PtyTerminal.spawn(process.execPath, [leaktopBin, '--interval', '0.5', ...args], { cols: 80, rows: 24, cwd, env });
}

describe('retainer paths and the leak check in the TUI', () => {
  it('diff view: Enter on the leaked class shows its new objects and the path through its Map; Esc goes back', bounded, async () => {
    const dir = tempDir('leaktop-tui-retained-');
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const target = await startNodeTarget('leak-mix.cjs', [marker]);
    const log = stdoutOf(target);
    const term = startLeaktop(dir, ['--yes']);
    try {
      await selectOnly(term, marker, target);
      term.write('s');
      await term.waitFor(/Saved leaktop-\d+-\d+-\d+\.heapsnapshot/, STEP_MS, 'the first snapshot');
      // New LeakedSessions between the two snapshots: the target has leaked more since the first was saved.
      const leaked = await leakedSoFar(target, log);
      await waitFor(async () => (await leakedSoFar(target, log)) > leaked, 'more leaked sessions', STEP_MS);
      term.write('s');
      await term.waitFor('d compares the last two', STEP_MS, 'the second snapshot');
      term.write('d');
      await term.waitFor(/COUNT\+\s+SIZE\+\s+NEW\s+FREED\s+RET\+ CONSTRUCTOR/, STEP_MS, 'the diff view with RET+');
      term.write('/');
      await term.waitFor('Filter: _', STEP_MS, 'the filter prompt');
      term.write('LeakedSession\r');
      await term.waitFor((t) => t.screenLines().filter((l) => /\d/.test(l) && l.trimEnd().endsWith('LeakedSession')).length === 1 && !t.screenText().includes('ChurnItem'), STEP_MS, 'only LeakedSession');
      const row = term.screenLines().find((l) => l.trimEnd().endsWith('LeakedSession'))!;
      const [countDelta, , fresh, , retained] = row.trim().split(/\s+/);
      assert.ok(Number(countDelta) > 0 && retained!.startsWith('+'), row);
      term.write(KEYS.enter);
      await term.waitFor(/sessions \(Map\) →/, STEP_MS, 'the retainer path');
      const screen = term.screenText();
      assert.match(screen, /LeakedSession in PID \d+/);
      assert.match(screen, new RegExp(`\\d+ objects, ${fresh} new; self \\S+, retained \\S+`), 'the new objects counted as in the diff');
      assert.match(screen, /ID\s+SELF\s+RETAINED/);
      assert.match(screen, /@\d+\s+\S+\s+\S+\s+new/, 'new objects first');
      assert.match(screen, new RegExp(`Why the new ones are alive[\\s\\S]*${fresh}× global`), 'one group: all the new ones');
      // The path may wrap after any arrow: check its parts.
      assert.match(screen, /sessions \(Map\) → table →/);
      assert.match(screen, /\[\d+\] \(LeakedSession\)$/m);
      term.write(KEYS.escape);
      await term.waitFor(/COUNT\+\s+SIZE\+/, STEP_MS, 'back to the diff');
    } finally {
      await term.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('L asks first: n leaves the process alone, i changes the interval', bounded, async () => {
    const dir = tempDir('leaktop-tui-leaks-');
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    // It logs every SIGUSR1: the proof that leaktop did not try to open its inspector (helpers/signal-log.ts).
    const target = await startNodeTarget('signal-log.cjs', [marker]);
    const log = stdoutOf(target);
    const term = startLeaktop(dir, ['--leak-interval', '5']);
    try {
      await selectOnly(term, marker, target);
      term.write('L');
      await term.waitFor(`Leak check of PID ${target.pid}`, STEP_MS, 'the question');
      assert.match(term.screenText(), /Three heap snapshots, 5 s apart/);
      assert.match(term.screenText(), /FROZEN three times/);
      term.write('i');
      await term.waitFor('10 s apart', STEP_MS, 'the next interval');
      term.write('n');
      await term.waitFor((t) => !t.screenText().includes('Leak check of PID'), STEP_MS, 'back to the table');
      await assertNoSigusr1(target, log);
      assert.deepEqual(ports(target.pid), [], 'nothing was opened');
    } finally {
      await term.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('L with --yes: a countdown, then the leaked class as a candidate with its path; temp files gone, inspector closed', bounded, async () => {
    const dir = tempDir('leaktop-tui-leaks-');
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const target = await startNodeTarget('retain-live.cjs', ['leak', marker]);
    const term = startLeaktop(dir, ['--yes', '--leak-interval', '3']);
    try {
      await selectOnly(term, marker, target);
      term.write('L');
      await term.waitFor(`Leak check of PID ${target.pid}: 3 snapshots 3 s apart`, STEP_MS, 'the leak view');
      await term.waitFor(/(target|final) snapshot in [123] s/, STEP_MS, 'the countdown');
      await term.waitFor(/COUNT\s+SELF\s+RETAINED CONSTRUCTOR/, LONG_STEP_MS, 'the candidates');
      const lines = term.screenLines();
      const header = lines.findIndex((l) => /COUNT\s+SELF\s+RETAINED CONSTRUCTOR/.test(l));
      assert.ok(lines[header + 1]!.trimEnd().endsWith('LeakedRequest'), term.describeScreen());
      assert.ok(!lines[header + 2]!.match(/^\s+\d+\s/), `only one candidate: ${lines[header + 2]}`);
      assert.match(term.screenText(), /Why the LeakedRequest candidates are alive/);
      assert.match(term.screenText(), /requests \(Map\) →/);
      assert.match(term.screenText(), new RegExp(`Leak check of ${target.pid}: 1 candidate, biggest: LeakedRequest`));
      // This leaktop's work directories only (named after its PID): other runs on the host may have their own.
      assert.deepEqual(readdirSync(tmpdir()).filter((f) => f.startsWith(`leaktop-leaks-${term.pid}-`)), [], 'the snapshots were temporary');
      assert.deepEqual(readdirSync(dir), [], 'nothing written in the working directory');
      // L attached for itself, so it detached right after the last snapshot, before the analysis (issue 13).
      assert.deepEqual(ports(target.pid), [], 'the inspector L opened is closed');
      term.write('x');
      await term.waitFor('not attached', STEP_MS, 'x: nothing left to detach');
    } finally {
      await term.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
