import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { defaultSnapshotName } from '../../src/inspector/take-snapshot.js';
import { isAlive, killAllTargets, runLeaktop, startNodeTarget } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Heap contents are private: every file leaktop writes from a heap is 0600, and none is written through a link. */

const dir = tempDir('leaktop-private-files-');
// leaktop inherits the umask: 000 would make every file it creates without care world-writable.
const previousUmask = process.umask(0);

after(async () => {
  process.umask(previousUmask);
  await killAllTargets();
  rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;
test('snapshot, diff --pid --keep, leaks --pid --keep and alloc -o under umask 000: every file 0600', async () => {
  const target = await startNodeTarget('idle.cjs');
  const sub = tempDir('modes-', dir);
  const file = join(sub, 'one.heapsnapshot');
  const snapshot = await runLeaktop(['snapshot', String(target.pid), '-o', file]);
  assert.equal(snapshot.code, 0, snapshot.stderr);
  const diff = await runLeaktop(['diff', '--pid', String(target.pid), '--wait', '0', '--keep', '--dir', sub, '--json'], { timeoutMs: 60_000 });
  assert.equal(diff.code, 0, diff.stderr);
  const leaks = await runLeaktop(['leaks', '--pid', String(target.pid), '--interval', '0', '--keep', '--dir', sub, '--json'], { timeoutMs: 60_000 });
  assert.equal(leaks.code, 0, leaks.stderr);
  const profile = join(sub, 'one.heapprofile');
  const alloc = await runLeaktop(['alloc', '--pid', String(target.pid), '--duration', '0.2', '-o', profile, '--json']);
  assert.equal(alloc.code, 0, alloc.stderr);
  const names = readdirSync(sub);
  // 1 + 2 + 3 snapshots with their sidecars, and the profile.
  assert.equal(names.filter((n) => n.endsWith('.heapsnapshot')).length, 6, names.join());
  assert.equal(names.filter((n) => n.endsWith('.heapsnapshot.json')).length, 6, names.join());
  assert.ok(names.includes('one.heapprofile'));
  assert.deepEqual(names.filter((n) => n.endsWith('.partial')), []);
  for (const name of names) assert.equal(mode(join(sub, name)), 0o600, `${name} is ${mode(join(sub, name)).toString(8)}`);
  assert.deepEqual(ports(target.pid), []);
});

test('snapshot -o with a link planted at FILE.partial: refused before attaching, nothing written through it', async () => {
  const target = await startNodeTarget('idle.cjs');
  const sub = tempDir('partial-link-', dir);
  const victim = join(sub, 'victim.txt');
  writeFileSync(victim, 'original\n');
  const missing = join(sub, 'created-by-root.txt');
  for (const linkTarget of [victim, missing]) {
    const file = join(sub, `${linkTarget === victim ? 'a' : 'b'}.heapsnapshot`);
    symlinkSync(linkTarget, `${file}.partial`);
    const { code, stdout, stderr } = await runLeaktop(['snapshot', String(target.pid), '-o', file]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /^leaktop: '.*\.partial' is a symbolic link; leaktop never writes heap contents through one\n/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack');
    assert.equal(readlinkSync(`${file}.partial`), linkTarget);
    assert.equal(existsSync(file), false);
  }
  assert.equal(readFileSync(victim, 'utf8'), 'original\n');
  assert.equal(existsSync(missing), false);
  assert.deepEqual(ports(target.pid), [], 'refused before an inspector was opened');
  assert.ok(isAlive(target.pid));
});

test('snapshot -o with links at the final name and at the sidecar: the links are replaced, their targets untouched', async () => {
  const target = await startNodeTarget('idle.cjs');
  const sub = tempDir('final-link-', dir);
  const victim = join(sub, 'victim.txt');
  writeFileSync(victim, 'original\n');
  const missing = join(sub, 'created-by-root.txt');
  const file = join(sub, 'mine.heapsnapshot');
  symlinkSync(victim, file);
  symlinkSync(missing, `${file}.json`);
  const { code, stderr } = await runLeaktop(['snapshot', String(target.pid), '-o', file]);
  assert.equal(code, 0, stderr);
  for (const path of [file, `${file}.json`]) {
    assert.ok(lstatSync(path).isFile(), `${path} is a file of its own now`);
    assert.equal(mode(path), 0o600);
  }
  assert.equal(readFileSync(victim, 'utf8'), 'original\n');
  assert.equal(existsSync(missing), false);
  assert.match(readFileSync(file, 'utf8', ).slice(0, 20), /^\{"snapshot"/);
});

test('snapshot --dir with links planted at the default names: another name is used, the links are left alone', async () => {
  const target = await startNodeTarget('idle.cjs');
  const sub = tempDir('default-link-', dir);
  const missing = join(sub, 'created-by-root.txt');
  // The default name carries the time to the second: links for the next minute cover it whenever leaktop runs.
  const now = Date.now();
  const planted: string[] = [];
  for (let s = 0; s < 60; s++) {
    const name = defaultSnapshotName(target.pid, new Date(now + s * 1000));
    for (const suffix of ['', '.partial', '.json']) {
      symlinkSync(missing, join(sub, `${name}${suffix}`));
      planted.push(join(sub, `${name}${suffix}`));
    }
  }
  const { code, stdout, stderr } = await runLeaktop(['snapshot', String(target.pid), '--dir', sub]);
  assert.equal(code, 0, stderr);
  const written = stdout.trim();
  assert.match(written, /-2\.heapsnapshot$/);
  assert.ok(lstatSync(written).isFile());
  assert.equal(mode(written), 0o600);
  for (const link of planted) assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(existsSync(missing), false);
});

test('a stale .partial from a killed run is reported on stderr and left in place; the snapshot is taken', async () => {
  const target = await startNodeTarget('idle.cjs');
  const sub = tempDir('stale-', dir);
  const stale = join(sub, 'leaktop-4242-20250101-000000.heapsnapshot.partial');
  writeFileSync(stale, '{"snapshot":{"meta":');
  const { code, stdout, stderr } = await runLeaktop(['snapshot', String(target.pid), '--dir', sub]);
  assert.equal(code, 0, stderr);
  assert.equal(stderr.split('\n')[0], `leaktop: found stale leaktop-4242-20250101-000000.heapsnapshot.partial from an interrupted snapshot; delete it (in ${sub})`);
  assert.ok(existsSync(stdout.trim()));
  assert.equal(readFileSync(stale, 'utf8'), '{"snapshot":{"meta":');
  // -o onto that very name: refused (the partial is in the way), before anything is asked of the target.
  const again = await runLeaktop(['snapshot', String(target.pid), '-o', stale.replace(/\.partial$/, '')]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /found stale leaktop-4242-20250101-000000\.heapsnapshot\.partial from an interrupted snapshot; delete it/);
  assert.deepEqual(ports(target.pid), []);
});

test('diff --pid without --keep under umask 000: its temp directory is 0700, the snapshots in it 0600, all gone at the end', async () => {
  const target = await startNodeTarget('idle.cjs');
  const temp = tempDir('tmpdir-', dir);
  const run = runLeaktop(['diff', '--pid', String(target.pid), '--wait', '3', '--json'], { env: { ...process.env, TMPDIR: temp }, timeoutMs: 60_000 });
  // While it waits between the two snapshots, the first one is in its temp directory.
  let seen = null as { dirMode: number; fileModes: number[] } | null;
  const deadline = Date.now() + 30_000;
  while (!seen && Date.now() < deadline) {
    for (const name of readdirSync(temp)) {
      const work = join(temp, name);
      try {
        const files = readdirSync(work).filter((n) => n.endsWith('.heapsnapshot') || n.endsWith('.heapsnapshot.json'));
        if (files.length >= 2) seen = { dirMode: mode(work), fileModes: files.map((f) => mode(join(work, f))) };
      } catch {
        // renamed or deleted between the listing and the look: look again
      }
    }
    if (!seen) await new Promise((r) => setTimeout(r, 50));
  }
  const { code, stderr } = await run;
  assert.equal(code, 0, stderr);
  assert.ok(seen, 'the first snapshot was seen in the temp directory');
  assert.equal(seen.dirMode, 0o700);
  assert.deepEqual(seen.fileModes, seen.fileModes.map(() => 0o600));
  assert.deepEqual(readdirSync(temp), [], 'deleted at the end');
});
