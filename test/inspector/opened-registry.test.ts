import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { OpenedRegistry, registryDir } from '../../src/inspector/opened-registry.js';
import { readStat } from '../../src/proc/read-stat.js';
import { isUnavailable } from '../../src/proc/read-file.js';

const root = mkdtempSync(join(tmpdir(), 'leaktop-registry-test-'));
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
