/**
 * Heap contents written from the full-screen monitor are private: `s` snapshots and sidecars, `w`/`W` diffs are
 * 0600 under any umask, and a `.partial` left by a killed run is reported in the status line, not deleted.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { KEYS, PtyTerminal } from '../helpers/pty-terminal.js';
import { killAllTargets, leaktopBin, startNodeTarget } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

// The pty's child inherits it: under umask 000 a file created without care would be world-writable.
const previousUmask = process.umask(0);
const dir = tempDir('leaktop-tui-private-');

after(async () => {
  process.umask(previousUmask);
  await killAllTargets();
  rmSync(dir, { recursive: true, force: true });
});

it('s under umask 000: snapshots and sidecars 0600, a stale .partial reported and kept; w and W write 0600 files', async () => {
  const stale = join(dir, 'leaktop-4242-20250101-000000.heapsnapshot.partial');
  writeFileSync(stale, '{"snapshot":');
  const marker = `leaktop-e2e-${randomBytes(4).toString('hex')}`;
  const target = await startNodeTarget('idle.cjs', [marker]);
  const env: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
  const term = PtyTerminal.spawn(process.execPath, [leaktopBin, '--interval', '0.5', '--yes'], { cols: 200, rows: 30, cwd: dir, env });
  try {
    await term.waitFor((t) => t.screenText().includes('Node.js process'), 10_000, 'the header');
    term.write('/');
    await term.waitFor('Filter: _');
    term.write(`${marker}\r`);
    await term.waitFor((t) => t.screenLines().some((l) => l.trimStart().startsWith(`${target.pid} `)) && !t.screenText().includes('Filter: _'), 10_000, 'the target alone');
    term.write('s');
    await term.waitFor(/Saved leaktop-\d+-\d+-\d+\.heapsnapshot .*; found stale leaktop-4242-20250101-000000\.heapsnapshot\.partial from an interrupted snapshot; delete it/, 30_000, 'the stale partial in the status line');
    term.write('s');
    await term.waitFor('d compares the last two', 30_000, 'the second snapshot');
    term.write('d');
    await term.waitFor(/RET\+ CONSTRUCTOR/, 10_000, 'the diff view');
    term.write('w');
    await term.waitFor(/Written: \S+\.txt/, 10_000, 'the text file');
    term.write('W');
    await term.waitFor(/Written: \S+\.json/, 10_000, 'the JSON file');
    term.write(KEYS.escape);
    term.write('q');
    assert.equal((await term.waitForExit(10_000)).exitCode, 0);
  } finally {
    await term.dispose();
  }
  const names = readdirSync(dir).filter((n) => n !== 'leaktop-4242-20250101-000000.heapsnapshot.partial');
  assert.equal(names.filter((n) => n.endsWith('.heapsnapshot')).length, 2, names.join());
  assert.equal(names.filter((n) => n.endsWith('.heapsnapshot.json')).length, 2, names.join());
  assert.equal(names.filter((n) => n.startsWith('leaktop-diff-')).length, 2, names.join());
  assert.equal(names.filter((n) => n.endsWith('.partial')).length, 0, names.join());
  for (const name of names) assert.equal(statSync(join(dir, name)).mode & 0o777, 0o600, name);
  assert.ok(existsSync(stale), 'the stale file is left for its owner to delete');
});
