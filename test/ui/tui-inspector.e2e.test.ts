/**
 * The inspector keys of the real full-screen monitor in a pty: `a` asks, then attaches; the badge says an
 * inspector is open; `g` runs a GC; `x` closes what leaktop opened; quitting or SIGTERM closes it too.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { KEYS, PtyTerminal } from '../helpers/pty-terminal.js';
import { killAllTargets, leaktopBin, repoRoot, startNodeTarget } from '../helpers/targets.js';
import { selectOnly, startTui } from '../helpers/tui.js';
import { ports } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

describe('keys that arrive together', () => {
  it('text and Enter in one chunk (a paste, tmux send-keys) filter, then close the prompt', async () => {
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const target = await startNodeTarget('idle.cjs', [marker]);
    const term = startTui();
    try {
      await term.waitFor((t) => t.screenText().includes('Node.js process'), 10_000, 'the header');
      term.write('/');
      await term.waitFor('Filter: _');
      term.write(`${marker}\r`);
      await term.waitFor(`Filter: ${marker} (Esc clears)`, 10_000, 'the filter kept, the prompt closed');
      await term.waitFor((t) => t.screenLines().some((l) => l.trimStart().startsWith(`${target.pid} `)), 10_000, 'the target listed');
    } finally {
      await term.dispose();
    }
  });
});

describe('inspector keys in the TUI', () => {
  it('a asks first; n leaves the process alone', async () => {
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const target = await startNodeTarget('idle.cjs', [marker]);
    const term = startTui();
    try {
      await selectOnly(term, marker, target);
      term.write('a');
      await term.waitFor(`Attach to PID ${target.pid}`, 10_000, 'the confirmation');
      assert.match(term.screenText(), /ANY local user can connect/);
      term.write('n');
      await term.waitFor((t) => !t.screenText().includes('Attach to PID'), 10_000, 'back to the table');
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(ports(target.pid), [], 'nothing was opened');
    } finally {
      await term.dispose();
    }
  });

  it('attach, heap figures, GC, detach; then SIGTERM while attached closes the inspector too', async () => {
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const target = await startNodeTarget('leaky.cjs', [marker]);
    const term = startTui();
    try {
      await selectOnly(term, marker, target);
      term.write('a');
      await term.waitFor(`Attach to PID ${target.pid}`);
      term.write('y');
      await term.waitFor(/INSPECTOR OPEN 127\.0\.0\.1:\d+/, 10_000, 'the badge');
      const port = Number(/INSPECTOR OPEN 127\.0\.0\.1:(\d+)/.exec(term.screenText())![1]);
      assert.deepEqual(ports(target.pid), [port], 'the badge names the port that listens');
      await term.waitFor((t) => t.screenLines().some((l) => l.includes(`*${target.pid} `) && /\d(\.\d+)?[KMG]\s/.test(l.slice(40, 60))), 10_000, 'a HEAP figure in the row');
      term.write('g');
      await term.waitFor(new RegExp(`GC in ${target.pid}: freed \\d+ KiB in \\d+ ms`), 15_000, 'the GC result');
      term.write(KEYS.enter);
      await term.waitFor(/last GC: heap \S+ -> \S+/, 10_000, 'the GC in the detail view');
      assert.match(term.screenText(), /heap \S+\/\S+\s+external/, 'memoryUsage breakdown');
      term.write('x');
      await term.waitFor(`Detached from ${target.pid}; its inspector is closed`, 10_000, 'the detach');
      assert.ok(!/INSPECTOR OPEN/.test(term.screenText()), 'no badge after detach');
      assert.deepEqual(ports(target.pid), []);

      term.write('a');
      await term.waitFor(`Attach to PID ${target.pid}`);
      term.write('y');
      await term.waitFor(/INSPECTOR OPEN 127\.0\.0\.1:\d+/, 10_000, 'the badge again');
      assert.equal(ports(target.pid).length, 1);
      term.kill('SIGTERM');
      const exit = await term.waitForExit(10_000);
      assert.equal(exit.exitCode, 143);
      assert.ok(!term.isAlternateScreen());
      assert.deepEqual(ports(target.pid), [], 'SIGTERM closed the inspector leaktop opened');
    } finally {
      await term.dispose();
    }
  });
});

describe('snapshots and the diff view in the TUI', () => {
  it('s asks with the cost, takes two snapshots, d shows the leaked class with its new objects, w writes it', async () => {
    const { readdirSync, readFileSync, rmSync } = await import('node:fs');
    const dir = tempDir('leaktop-tui-snap-');
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const target = await startNodeTarget('leak-mix.cjs', [marker]);
    const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
    const term = PtyTerminal.spawn(process.execPath, [leaktopBin, '--interval', '0.5'], { cols: 120, rows: 30, cwd: dir, env });
    try {
      await selectOnly(term, marker, target);
      term.write('s');
      await term.waitFor(/FROZEN for about \d+ s/, 10_000, 'the cost in the question');
      term.write('y');
      await term.waitFor(/Saved leaktop-\d+-\d+-\d+\.heapsnapshot/, 20_000, 'the first snapshot');
      await new Promise((r) => setTimeout(r, 600));
      term.write('s');
      await term.waitFor(/FROZEN/, 10_000, 'the question again');
      term.write('y');
      await term.waitFor('d compares the last two', 20_000, 'the second snapshot');
      term.write('d');
      await term.waitFor(/COUNT\+\s+SIZE\+\s+NEW\s+FREED\s+RET\+ CONSTRUCTOR/, 10_000, 'the diff view');
      const row = term.screenLines().find((l) => /LeakedSession$/.test(l.trimEnd()));
      assert.ok(row, term.describeScreen());
      const [countDelta, , fresh, freed] = row.trim().split(/\s+/);
      assert.ok(Number(countDelta) > 0 && countDelta === `+${fresh}` && freed === '0', row);
      term.write('/');
      await term.waitFor('Filter: _', 10_000, 'the diff filter prompt');
      term.write('churn\r');
      await term.waitFor((t) => t.screenLines().some((l) => l.trimEnd().endsWith('ChurnItem')) && !t.screenText().includes('LeakedSession'), 10_000, 'only ChurnItem');
      term.write(KEYS.escape);
      await term.waitFor('LeakedSession', 10_000, 'the filter cleared');
      term.write('w');
      await term.waitFor(/Written: \S+leaktop-diff-\d+-\d+\.txt/, 10_000, 'the written file');
      const written = readdirSync(dir).find((f) => f.startsWith('leaktop-diff-'))!;
      assert.match(readFileSync(`${dir}/${written}`, 'utf8'), /LeakedSession/);
      assert.equal(readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot')).length, 2);
      term.write(KEYS.escape);
      await term.waitFor((t) => !t.screenText().includes('RET+ CONSTRUCTOR'), 10_000, 'back');
      term.write('q');
      assert.equal((await term.waitForExit(10_000)).exitCode, 0);
      assert.deepEqual(ports(target.pid), [], 'quitting closed the inspector');
    } finally {
      await term.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an SSH session that drops', () => {
  it('--yes attaches without asking; SIGHUP closes the inspector leaktop opened and restores the terminal', async () => {
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const target = await startNodeTarget('idle.cjs', [marker]);
    const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
    const term = PtyTerminal.spawn(process.execPath, [leaktopBin, '--interval', '0.5', '--yes'], { cols: 120, rows: 30, cwd: repoRoot, env });
    try {
      await selectOnly(term, marker, target);
      term.write('a');
      await term.waitFor(/INSPECTOR OPEN 127\.0\.0\.1:\d+/, 10_000, 'attached without a question');
      assert.equal(ports(target.pid).length, 1);
      term.kill('SIGHUP');
      const exit = await term.waitForExit(10_000);
      assert.equal(exit.exitCode, 129);
      assert.ok(!term.isAlternateScreen());
      assert.deepEqual(ports(target.pid), [], 'SIGHUP closed the inspector');
    } finally {
      await term.dispose();
    }
  });
});
