/**
 * `T` in the real full-screen monitor, in a pty: after `s` the status says what the process kept; `T` asks
 * (even with --yes), then gives the memory back through gdb and reports it; the process still answers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { KEYS, PtyTerminal } from '../helpers/pty-terminal.js';
import { fixture, killAllTargets, leaktopBin, startTarget, type Target } from '../helpers/targets.js';
import { selectOnly } from '../helpers/tui.js';
import { ping } from '../helpers/trim-target.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('leaktop-tui-trim-');
after(async () => {
  await killAllTargets();
  rmSync(dir, { recursive: true, force: true });
});

const rssOf = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

describe('T: give back the memory a snapshot left', () => {
  it('s reports what the process kept; T asks (even with --yes), n leaves it, y trims it and says how much', async () => {
    const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
    const target = await startTarget(process.execPath, [fixture('trim-target.cjs'), '30', marker], { stdio: ['pipe', 'pipe', 'pipe'] });
    const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
    const term = PtyTerminal.spawn(process.execPath, [leaktopBin, '--interval', '0.5', '--yes'], { cols: 140, rows: 30, cwd: dir, env });
    try {
      await selectOnly(term, marker, target);
      const baseBytes = rssOf(target.pid);
      term.write('s');
      await term.waitFor(/Saved leaktop-\d+-\d+-\d+\.heapsnapshot \(\S+, [\d.]+ s\); kept \+\S+: T gives it back/, 60_000, 'the snapshot and what it left');
      const afterSnapshotBytes = rssOf(target.pid);

      term.write('T');
      await term.waitFor(`Give back the memory of PID ${target.pid}`, 10_000, 'the question, though --yes');
      assert.match(term.screenText(), /STOPPED meanwhile/);
      term.write('n');
      await term.waitFor((t) => !t.screenText().includes('Give back the memory'), 10_000, 'back without trimming');
      assert.ok(!term.screenText().includes('Trimm'));

      term.write('T');
      await term.waitFor(`Give back the memory of PID ${target.pid}`);
      term.write('y');
      await term.waitFor(new RegExp(`Trimmed ${target.pid}: RSS \\S+ -> \\S+ \\(gave back \\S+\\), stopped \\d+ ms`), 30_000, 'the result');
      // The session stays open (for d), so V8's object-id map stays too: at least half still comes back.
      const keptBytes = afterSnapshotBytes - baseBytes;
      assert.ok(afterSnapshotBytes - rssOf(target.pid) >= keptBytes / 2, `${baseBytes} -> ${afterSnapshotBytes} -> ${rssOf(target.pid)}`);
      assert.match(await ping(target), /^pong 1 /);
      term.write('q');
      await term.waitForExit(10_000);
    } finally {
      await term.dispose();
    }
  });
});
