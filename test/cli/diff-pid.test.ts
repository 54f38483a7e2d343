import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isUnavailable } from '../../src/proc/read-file.js';
import { listeningPorts } from '../../src/inspector/find-inspector-port.js';
import { defaultSnapshotName } from '../../src/inspector/take-snapshot.js';
import { killAllTargets, runLeaktop, startNodeTarget } from '../helpers/targets.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

interface Row {
  name: string;
  countDelta: number;
  sizeDelta: number;
  new: number | null;
  deleted: number | null;
}

test('diff --pid ranks the leaked class first with its exact number of new objects; churn is not growth', async () => {
  const target = await startNodeTarget('leak-mix.cjs');
  const { code, stdout, stderr } = await runLeaktop(['diff', '--pid', String(target.pid), '--wait', '1', '--json', '--top', '200'], { timeoutMs: 60_000 });
  assert.equal(code, 0, stderr);
  const diff = JSON.parse(stdout) as { idsComparable: boolean; rows: Row[]; snapshots: Array<{ label: string; cost: { peakBytes: number; basis: string } }> };
  assert.equal(diff.idsComparable, true, 'one session: ids are comparable');
  assert.deepEqual(diff.snapshots.map((s) => s.label), ['A', 'B'], 'the estimate each snapshot was weighed with');
  assert.ok(diff.snapshots.every((s) => s.cost.peakBytes > 0));
  // A fresh target reaches its highest RSS during the first snapshot, so B is estimated from what A really cost.
  assert.deepEqual(diff.snapshots.map((s) => s.cost.basis), ['model', 'measured']);
  const [top] = diff.rows;
  assert.equal(top!.name, 'LeakedSession', JSON.stringify(diff.rows.slice(0, 5)));
  assert.ok(top!.new! > 0 && top!.new! % 20 === 0, `whole ticks of 20: ${top!.new}`);
  assert.equal(top!.deleted, 0, 'nothing of it was ever freed');
  assert.equal(top!.new, top!.countDelta, 'every new object is growth');
  const churn = diff.rows.find((r) => r.name === 'ChurnItem');
  assert.ok(!churn || churn.countDelta === 0, `ChurnItem does not grow: ${JSON.stringify(churn)}`);
  if (churn) assert.equal(churn.new, churn.deleted, 'churn: as many freed as made');
  assert.ok(diff.rows.some((r) => r.name === 'Function' && r.countDelta > 0), 'the listeners kept by the emitter show too');
  const ports = listeningPorts(target.pid);
  assert.deepEqual(isUnavailable(ports) ? [] : ports, [], 'the inspector leaktop opened is closed');
});

test('diff --pid --keep leaves both snapshots and their sidecars in --dir; without --keep nothing is left', async () => {
  const target = await startNodeTarget('idle.cjs');
  const dir = tempDir('leaktop-keep-');
  try {
    const kept = await runLeaktop(['diff', '--pid', String(target.pid), '--wait', '0', '--keep', '--dir', dir, '--top', '3'], { timeoutMs: 60_000 });
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stdout, /one inspector session/);
    const files = readdirSync(dir).sort();
    assert.equal(files.filter((f) => f.endsWith('.heapsnapshot')).length, 2, files.join());
    assert.equal(files.filter((f) => f.endsWith('.heapsnapshot.json')).length, 2);
    assert.ok(!files.some((f) => f.endsWith('.partial')));
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('leaktop-diff-'));
    const plain = await runLeaktop(['diff', '--pid', String(target.pid), '--wait', '0', '--json'], { timeoutMs: 60_000 });
    assert.equal(plain.code, 0);
    assert.deepEqual(readdirSync(tmpdir()).filter((f) => f.startsWith('leaktop-diff-')), before, 'the temp files are gone');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('diff --pid --keep into a directory whose names are taken (an earlier run in the same second): -2 names, nothing replaced', async () => {
  const target = await startNodeTarget('idle.cjs');
  const dir = tempDir('leaktop-keep-taken-');
  try {
    // The names the run would take, for every second of the next minute: as if another run had just used them.
    const planted: string[] = [];
    for (let s = 0; s < 60; s++) {
      const stamp = defaultSnapshotName(target.pid, new Date(Date.now() + s * 1000));
      for (const label of ['A', 'B']) {
        const path = join(dir, stamp.replace('.heapsnapshot', `-${label}.heapsnapshot`));
        writeFileSync(path, 'earlier run');
        planted.push(path);
      }
    }
    const kept = await runLeaktop(['diff', '--pid', String(target.pid), '--wait', '0', '--keep', '--dir', dir, '--top', '3'], { timeoutMs: 60_000 });
    assert.equal(kept.code, 0, kept.stderr);
    const written = readdirSync(dir).filter((f) => /-[AB]-2\.heapsnapshot$/.test(f));
    assert.equal(written.length, 2, readdirSync(dir).join());
    for (const path of planted) assert.equal(readFileSync(path, 'utf8'), 'earlier run');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('diff --pid of a process that cannot be attached: exit 1, and no temp dir left', async () => {
  const before = readdirSync(tmpdir()).filter((f) => f.startsWith('leaktop-diff-'));
  const result = await runLeaktop(['diff', '--pid', '4194000', '--wait', '0']);
  assert.equal(result.code, 1);
  assert.deepEqual(readdirSync(tmpdir()).filter((f) => f.startsWith('leaktop-diff-')), before);
});

test('diff usage: files and --pid together, or one file, are usage errors', async () => {
  assert.equal((await runLeaktop(['diff', 'a.heapsnapshot'])).code, 2);
  assert.equal((await runLeaktop(['diff', 'a', 'b', '--pid', '1'])).code, 2);
});
