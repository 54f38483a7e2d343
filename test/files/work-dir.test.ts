/**
 * The work directories of `diff --pid`, `leaks --pid` and `L` carry leaktop's PID, so a run removes those a dead
 * leaktop left behind (SIGKILL, out of memory skip every cleanup) — and only those: not its own, not those of a
 * leaktop still running, not those of other prefixes.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeWorkDir, removeStaleWorkDirs } from '../../src/files/work-dir.js';
import { leaktopBin } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

test('makeWorkDir: private, named after this process', () => {
  const parent = tempDir('leaktop-workdir-test-');
  try {
    const dir = makeWorkDir('leaktop-leaks-', parent);
    assert.match(dir.slice(parent.length + 1), new RegExp(`^leaktop-leaks-${process.pid}-\\w{6}$`));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('removeStaleWorkDirs: a dead leaktop\'s and a reused PID\'s go; its own, a running leaktop\'s and others stay', async () => {
  const parent = tempDir('leaktop-workdir-test-');
  // A PID that has exited, one that runs something else (a reused PID), one that runs leaktop.
  const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
  const other = spawn('sleep', ['30']);
  const leaktop = spawn(process.execPath, [leaktopBin, 'watch', '1', '--interval', '30'], { stdio: 'ignore' });
  try {
    const make = (name: string) => {
      mkdirSync(join(parent, name));
      writeFileSync(join(parent, name, 'x.heapsnapshot'), '{}');
      return name;
    };
    const stale = [make(`leaktop-leaks-${gone}-aaaaaa`), make(`leaktop-leaks-${other.pid}-bbbbbb`)];
    const kept = [make(`leaktop-leaks-${process.pid}-cccccc`), make(`leaktop-leaks-${leaktop.pid}-dddddd`), make(`leaktop-diff-${gone}-eeeeee`), make('leaktop-leaks-Xy12ab')];
    // Its command line names leaktop once it has exec'd.
    while (!readFileSync(`/proc/${leaktop.pid}/cmdline`, 'latin1').includes('leaktop')) await new Promise((r) => setTimeout(r, 10));
    const removed = removeStaleWorkDirs('leaktop-leaks-', parent);
    assert.deepEqual(removed.sort(), stale.map((n) => join(parent, n)).sort());
    assert.deepEqual(readdirSync(parent).sort(), kept.sort());
    for (const name of stale) assert.ok(!existsSync(join(parent, name)));
  } finally {
    other.kill('SIGKILL');
    leaktop.kill('SIGKILL');
    rmSync(parent, { recursive: true, force: true });
  }
});
