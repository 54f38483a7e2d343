/**
 * `leaktop leaks` on real processes: three snapshots in one inspector session (--pid), and the same three files
 * read back (A B C). A child that keeps one LeakedRequest per tick while churning other objects yields exactly that
 * class, explained by its module-level Map; a child that only churns yields none; files from different sessions are
 * refused with one line; a SIGTERM mid-run closes the inspector and removes the temporary files.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { killAllTargets, leaktopBin, runLeaktop, startNodeTarget } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

interface Report {
  candidates: Array<{ name: string; count: number; selfSize: number; retainedSize: number; paths: Array<{ count: number; text: string; steps: Array<{ edge: string; node: string }> }> }>;
}

const leaksTempDirs = () => readdirSync(tmpdir()).filter((f) => f.startsWith('leaktop-leaks-'));

test('leaks --pid on a leaking child: exactly the leaked class, with its Map in the path; the files read back give the same', async () => {
  const target = await startNodeTarget('retain-live.cjs', ['leak']);
  const dir = tempDir('leaktop-leaks-keep-');
  try {
    const live = await runLeaktop(['leaks', '--pid', String(target.pid), '--interval', '1', '--json', '--keep', '--dir', dir], { timeoutMs: 90_000 });
    assert.equal(live.code, 0, live.stderr);
    const report = JSON.parse(live.stdout) as Report;
    assert.deepEqual(
      report.candidates.map((c) => c.name),
      ['LeakedRequest'],
      JSON.stringify(report.candidates.map((c) => [c.name, c.count])),
    );
    const [leak] = report.candidates;
    // One per 5 ms tick over the ~1 s between baseline and target (timers are late on a busy machine).
    assert.ok(leak!.count >= 20 && leak!.count <= 400, `count ${leak!.count}`);
    assert.ok(leak!.retainedSize >= leak!.selfSize && leak!.selfSize > 0);
    assert.deepEqual(Object.keys(leak!), ['name', 'count', 'selfSize', 'retainedSize', 'paths']);
    assert.deepEqual(Object.keys(leak!.paths[0]!), ['count', 'text', 'steps']);
    assert.equal(leak!.paths[0]!.count, leak!.count, 'all of them share one path');
    assert.match(leak!.paths[0]!.text, /requests \(Map\) → table → \[\d+\] \(LeakedRequest\)$/);
    assert.equal(leak!.paths[0]!.steps.at(-1)!.node, 'LeakedRequest');
    assert.deepEqual(ports(target.pid), [], 'the inspector leaktop opened is closed');

    const files = readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot')).sort();
    assert.equal(files.length, 3, files.join());
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot.json')).length, 3, 'with their sidecars');
    const order = ['baseline', 'target', 'final'].map((stage) => join(dir, files.find((f) => f.includes(`-${stage}.`))!));
    const fromFiles = await runLeaktop(['leaks', ...order, '--json'], { timeoutMs: 60_000 });
    assert.equal(fromFiles.code, 0, fromFiles.stderr);
    assert.deepEqual(JSON.parse(fromFiles.stdout), { candidates: report.candidates }, 'the same candidates from the kept files');

    const text = await runLeaktop(['leaks', ...order], { timeoutMs: 60_000 });
    assert.equal(text.code, 0);
    assert.match(text.stdout, /LeakedRequest/);
    assert.match(text.stdout, /requests \(Map\)/);
    for (const line of text.stdout.split('\n')) assert.ok(line.length <= 80 || !line.includes('→'), `a path line over 80 columns: ${line}`);

    // The baseline and the final snapshot of one session with a snapshot from another: refused, one line, exit 2.
    const other = await runLeaktop(['snapshot', String(target.pid), '--dir', dir], { timeoutMs: 60_000 });
    assert.equal(other.code, 0, other.stderr);
    const mixed = await runLeaktop(['leaks', order[0]!, other.stdout.trim(), order[2]!]);
    assert.equal(mixed.code, 2);
    assert.equal(mixed.stdout, '');
    assert.equal(mixed.stderr.trimEnd().split('\n').length, 1, mixed.stderr);
    assert.match(mixed.stderr, /^leaktop: cannot compare object ids: '.+' comes from another inspector session/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await target.kill();
  }
});

test('leaks --pid on a steady child (the same churn, nothing kept): no candidates, and no temp files left', async () => {
  const target = await startNodeTarget('retain-live.cjs', ['steady']);
  const before = leaksTempDirs();
  try {
    const run = await runLeaktop(['leaks', '--pid', String(target.pid), '--interval', '1', '--json'], { timeoutMs: 90_000 });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { candidates: unknown[]; snapshots: Array<{ label: string; cost: { peakBytes: number }; room: unknown }> };
    assert.deepEqual(result.candidates, []);
    // What each of the three was estimated to cost, and the room it was weighed against.
    assert.deepEqual(result.snapshots.map((s) => s.label), ['baseline', 'target', 'final']);
    assert.ok(result.snapshots.every((s) => s.cost.peakBytes > 0 && s.room !== undefined), run.stdout);
    assert.deepEqual(leaksTempDirs(), before, 'the three snapshots were deleted');
    const text = await runLeaktop(['leaks', '--pid', String(target.pid), '--interval', '0'], { timeoutMs: 90_000 });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /No leak candidates/);
    assert.deepEqual(ports(target.pid), []);
  } finally {
    await target.kill();
  }
});

test('leaks --pid stopped by SIGTERM while it waits: exit 143, inspector closed, temp files gone', async () => {
  const target = await startNodeTarget('retain-live.cjs', ['leak']);
  const before = leaksTempDirs();
  const child = spawn(process.execPath, [leaktopBin, 'leaks', '--pid', String(target.pid), '--interval', '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    // Mid-run: the inspector is open and the baseline snapshot is written in the temporary directory.
    const deadline = Date.now() + 30_000;
    const mine = () => leaksTempDirs().filter((d) => !before.includes(d));
    while (Date.now() < deadline && !(ports(target.pid).length > 0 && mine().some((d) => readdirSync(join(tmpdir(), d)).some((f) => f.endsWith('-baseline.heapsnapshot'))))) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const dirs = mine();
    assert.equal(dirs.length, 1, 'a temp dir with the baseline');
    process.kill(child.pid!, 'SIGTERM');
    assert.equal(await exited, 143);
    assert.deepEqual(ports(target.pid), [], 'the inspector leaktop opened is closed');
    assert.ok(!existsSync(join(tmpdir(), dirs[0]!)), 'the temp dir is gone');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await target.kill();
  }
});

test('leaks usage: two files, or files with --pid, are usage errors; files without sidecars are refused', async () => {
  assert.equal((await runLeaktop(['leaks', 'a', 'b'])).code, 2);
  assert.equal((await runLeaktop(['leaks', 'a', 'b', 'c', '--pid', '1'])).code, 2);
  const plain = await runLeaktop(['leaks', 'a.heapsnapshot', 'b.heapsnapshot', 'c.heapsnapshot']);
  assert.equal(plain.code, 2);
  assert.match(plain.stderr, /^leaktop: cannot compare object ids: 'a\.heapsnapshot' has no leaktop sidecar/);
  assert.equal(plain.stderr.trimEnd().split('\n').length, 1);
});
