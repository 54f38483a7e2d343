import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { heldByRunningLeaktop, OpenedRegistry, registryDir } from '../../src/inspector/opened-registry.js';
import { readStat } from '../../src/proc/read-stat.js';
import { isUnavailable } from '../../src/proc/read-file.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = tempDir('leaktop-registry-test-');
after(() => rmSync(root, { recursive: true, force: true }));

const startOf = (pid: number) => {
  const stat = readStat(pid);
  assert.ok(!isUnavailable(stat));
  return stat.startTimeTicks;
};

/** A PID that existed and has exited (a leaktop that was killed). */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$']);
  return Number(String(child.stdout).trim());
}

test('the directory follows XDG_RUNTIME_DIR, else /run/leaktop for root', () => {
  assert.equal(registryDir({ XDG_RUNTIME_DIR: '/run/user/1000' }), '/run/user/1000/leaktop');
  if (process.getuid?.() === 0) assert.equal(registryDir({}), '/run/leaktop');
  assert.notEqual(registryDir({ XDG_RUNTIME_DIR: 'relative' }), 'relative/leaktop', 'a relative path is not trusted');
});

test('record, find and forget; the directory is 0700 and each file 0600', () => {
  const dir = join(root, 'a', 'leaktop');
  const registry = new OpenedRegistry(dir);
  registry.record(process.pid, 40001);
  assert.equal(lstatSync(dir).mode & 0o777, 0o700);
  const [name] = readdirSync(dir);
  assert.equal(name, `${process.pid}-${startOf(process.pid)}-40001.json`);
  assert.equal(statSync(join(dir, name!)).mode & 0o777, 0o600);
  const entry = registry.find(process.pid, 40001);
  assert.equal(entry?.leaktopPid, process.pid);
  assert.equal(registry.find(process.pid, 40002), undefined);
  assert.deepEqual(registry.entries().map((e) => e.port), [40001]);
  registry.forget(process.pid, 40001);
  assert.deepEqual(readdirSync(dir), []);
});

test('a symlinked or shared directory is not used, and nothing is written through it', () => {
  const target = join(root, 'elsewhere');
  mkdirSync(target, { mode: 0o700 });
  const link = join(root, 'link');
  symlinkSync(target, link);
  new OpenedRegistry(link).record(process.pid, 40003);
  assert.deepEqual(readdirSync(target), [], 'nothing written through the symlink');

  // Another user's directory (here: one owned by nobody; only root can make one) is neither used nor repaired.
  const foreign = join(root, 'foreign');
  mkdirSync(foreign, { mode: 0o700 });
  if (process.getuid?.() === 0) chownSync(foreign, 65534, 65534);
  else chmodSync(foreign, 0o777);
  const registry = new OpenedRegistry(foreign);
  registry.record(process.pid, 40004);
  assert.deepEqual(readdirSync(foreign), [], 'a directory someone else owns is refused');
  writeFileSync(join(foreign, `${process.pid}-${startOf(process.pid)}-40005.json`), '{}');
  assert.deepEqual(registry.entries(), [], 'nor read');

  // Our own directory, opened up to everyone: made private again before a record goes in.
  const loose = join(root, 'loose');
  mkdirSync(loose);
  chmodSync(loose, 0o777);
  new OpenedRegistry(loose).record(process.pid, 40006);
  assert.equal(lstatSync(loose).mode & 0o777, 0o700);
  assert.equal(readdirSync(loose).length, 1);
});

test('an orphan (its leaktop is dead) is adopted; one whose leaktop runs is not; stale records are pruned', () => {
  const dir = join(root, 'b');
  mkdirSync(dir, { mode: 0o700 });
  const registry = new OpenedRegistry(dir);
  const start = startOf(process.pid);
  const write = (port: number, leaktopPid: number, leaktopStartTimeTicks: number, pid = process.pid, startTimeTicks = start) =>
    writeFileSync(join(dir, `${pid}-${startTimeTicks}-${port}.json`), JSON.stringify({ pid, startTimeTicks, port, leaktopPid, leaktopStartTimeTicks, openedAtMs: 1 }), { mode: 0o600 });
  const dead = deadPid();
  write(40010, dead, 123);
  // A running "leaktop": our parent, with its real start time.
  write(40011, process.ppid, startOf(process.ppid));
  write(40012, dead, 123, process.pid, start + 1); // a process instance that no longer exists (PID reused)
  write(40013, dead, 123); // its leaktop is dead and the port no longer listens

  assert.equal(registry.adoptOrphan(process.pid, 40010), true);
  assert.equal(registry.find(process.pid, 40010)?.leaktopPid, process.pid, 'adopted: now ours');
  assert.equal(registry.adoptOrphan(process.pid, 40011), false, 'its leaktop still runs');
  assert.equal(registry.adoptOrphan(process.pid, 40099), false, 'no record');

  registry.prune((entry) => entry.port !== 40013);
  assert.deepEqual(registry.entries().map((e) => e.port).sort(), [40010, 40011]);
  // Contents that disagree with the name are not trusted.
  writeFileSync(join(dir, `${process.pid}-${start}-40020.json`), JSON.stringify({ pid: 1, startTimeTicks: start, port: 40020, leaktopPid: dead, leaktopStartTimeTicks: 1, openedAtMs: 1 }));
  assert.equal(registry.find(process.pid, 40020), undefined);
});

/** Writes the record of a pending open in this process on PORT, as the leaktop FIELDS name would. */
function writePending(dir: string, port: number, fields: Record<string, unknown>): void {
  const start = startOf(process.pid);
  const entry = { pid: process.pid, startTimeTicks: start, port, openedAtMs: 1, pending: true, ...fields };
  writeFileSync(join(dir, `${process.pid}-${start}-${port}.json`), JSON.stringify(entry), { mode: 0o600 });
}

test('a pending open (SIGUSR1 sent to a process stopped before it took it) is no running leaktop\'s: any leaktop adopts it', () => {
  const dir = join(root, 'pending');
  mkdirSync(dir, { mode: 0o700 });
  const registry = new OpenedRegistry(dir);
  const start = startOf(process.pid);
  // Written by a leaktop that still runs (our parent), as the TUI that gave up on the activation would.
  const write = (port: number) => writePending(dir, port, { leaktopPid: process.ppid, leaktopStartTimeTicks: startOf(process.ppid) });
  write(40030);
  const entry = registry.find(process.pid, 40030);
  assert.equal(entry?.pending, true);
  assert.equal(heldByRunningLeaktop(entry!), false, 'no session of that leaktop holds it');
  assert.equal(registry.adoptOrphan(process.pid, 40030), true);
  assert.equal(registry.find(process.pid, 40030)?.pending, undefined, 'adopted: an ordinary record of ours now');

  registry.recordPending(process.pid, 40031);
  assert.equal(registry.find(process.pid, 40031)?.pending, true);
  assert.equal(registry.find(process.pid, 40031)?.leaktopPid, process.pid);
  registry.forget(process.pid, 40031);
  assert.equal(registry.find(process.pid, 40031), undefined);
  registry.forget(process.pid, 40030);
  assert.deepEqual(readdirSync(dir), []);

  // A `--inspect-port=0` process: the open is pending on any port; the inspector that appears takes the record.
  write(0);
  assert.equal(registry.find(process.pid, 40040)?.port, 0, 'matches any port');
  registry.claimPending(registry.find(process.pid, 40040)!, 40040);
  assert.deepEqual(readdirSync(dir), [`${process.pid}-${start}-40040.json`]);
  assert.equal(registry.find(process.pid, 40040)?.pending, true);
  write(0);
  registry.forget(process.pid, 40040);
  assert.deepEqual(readdirSync(dir), [], 'closing the inspector fulfils the any-port promise too');
});

test('prune keeps a pending open while its port listens, and drops it only after a grace once the signal is taken and nothing listens', () => {
  const dir = join(root, 'pending-prune');
  mkdirSync(dir, { mode: 0o700 });
  const registry = new OpenedRegistry(dir);
  const write = (port: number, extra: Record<string, unknown> = {}) => writePending(dir, port, { leaktopPid: deadPid(), leaktopStartTimeTicks: 1, ...extra });
  // This process runs and holds no SIGUSR1: the signal counts as taken.
  write(40050);
  write(40051, { settledAtMs: 1 });
  registry.prune((entry) => entry.port === 40050);
  assert.deepEqual(registry.entries().map((e) => [e.port, e.settledAtMs]), [[40050, undefined]], 'listening: kept; settled long ago: gone');
  registry.prune(() => false);
  const settled = registry.find(process.pid, 40050);
  assert.ok(settled?.settledAtMs !== undefined, 'first seen settled: kept, with the time');
  registry.prune(() => false);
  assert.equal(registry.find(process.pid, 40050)?.settledAtMs, settled.settledAtMs, 'still within the grace');
  registry.prune(() => true);
  assert.equal(registry.find(process.pid, 40050)?.settledAtMs, undefined, 'listening again: the count starts over');
});
