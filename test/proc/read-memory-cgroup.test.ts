import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isUnavailable } from '../../src/proc/read-file.js';
import {
  ancestorPaths,
  parseInactiveFileBytes,
  parseLimitBytes,
  parseMountinfo,
  parseProcCgroup,
  readMemoryCgroup,
  tightestLimit,
} from '../../src/proc/read-memory-cgroup.js';
import { parseMeminfo, readMeminfo } from '../../src/proc/read-meminfo.js';
import { tempDir } from '../helpers/temp-dir.js';

const MiB = 1024 * 1024;
const temp = tempDir('leaktop-cgroup-test-');
after(() => rmSync(temp, { recursive: true, force: true }));

/** Writes files under `root`: `{ 'a/b/memory.max': '100' }`. */
function layOut(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

test('/proc/PID/cgroup: the v1 memory line (alone or in a combined list) and the v2 line', () => {
  const hybrid = '12:pids:/user.slice\n5:memory:/docker/abc\n1:name=systemd:/docker/abc\n0::/docker/abc\n';
  assert.deepEqual(parseProcCgroup(hybrid), { v1Memory: '/docker/abc', v2: '/docker/abc' });
  assert.deepEqual(parseProcCgroup('4:cpuacct,memory,cpu:/app:with:colons\n'), { v1Memory: '/app:with:colons', v2: null });
  assert.deepEqual(parseProcCgroup('0::/system.slice/app.service\n'), { v1Memory: null, v2: '/system.slice/app.service' });
  assert.deepEqual(parseProcCgroup('4:memoryx:/a\n0:name=foo:/b\ngarbage\n\n'), { v1Memory: null, v2: null }, 'near misses are not memory');
});

test('mountinfo: the v1 memory mount, the cgroup2 mount, escaped spaces, a container root', () => {
  const text = [
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
    '35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory',
    '41 31 0:38 / /mnt/my\\040cgroups rw,relatime - cgroup2 cgroup2 rw',
  ].join('\n');
  assert.deepEqual(parseMountinfo(text), {
    v1Memory: { mountPoint: '/sys/fs/cgroup/memory', root: '/docker/abc' },
    v2: { mountPoint: '/mnt/my cgroups', root: '/' },
  });
  assert.deepEqual(parseMountinfo(''), {});
});

test('limits: "max" and the v1 huge value are no limit; usage files and memory.stat', () => {
  assert.equal(parseLimitBytes('max\n'), null);
  assert.equal(parseLimitBytes('9223372036854771712\n'), null);
  assert.equal(parseLimitBytes('209715200\n'), 200 * MiB);
  assert.equal(parseLimitBytes(''), null);
  assert.equal(parseInactiveFileBytes('cache 10\ninactive_file 4096\ntotal_inactive_file 8192\n', 1), 8192);
  assert.equal(parseInactiveFileBytes('anon 10\ninactive_file 4096\n', 2), 4096);
  assert.equal(parseInactiveFileBytes('anon 10\n', 2), 0);
  assert.deepEqual(ancestorPaths('/a/b'), ['/a/b', '/a', '/']);
  assert.deepEqual(ancestorPaths('/'), ['/']);
});

test('the tightest level is the one with the least room, not the smallest limit; levels without a limit are skipped', () => {
  const level = (path: string, limitBytes: number | null, usageBytes: number | null, inactiveFileBytes = 0) => ({ path, limitBytes, usageBytes, inactiveFileBytes });
  // The parent's limit is larger, but its other children use most of it.
  const tightest = tightestLimit([level('/pod/app', 500 * MiB, 100 * MiB), level('/pod', 1000 * MiB, 900 * MiB), level('/', null, 5000 * MiB)]);
  assert.deepEqual(tightest, { path: '/pod', limitBytes: 1000 * MiB, usageBytes: 900 * MiB, roomBytes: 100 * MiB });
  // Inactive file cache is room: the kernel reclaims it before it OOM-kills.
  assert.equal(tightestLimit([level('/a', 500 * MiB, 400 * MiB, 150 * MiB)])?.roomBytes, 250 * MiB);
  assert.equal(tightestLimit([level('/a', 100 * MiB, 300 * MiB)])?.roomBytes, 0, 'over the limit: no room, not negative');
  assert.equal(tightestLimit([level('/a', null, 1), level('/', null, null)]), null);
});

test('v2, on a laid-out tree: nested groups, "max" levels, the tightest up the hierarchy, and the process own group', () => {
  const root = join(temp, 'v2');
  layOut(root, {
    'proc/4242/cgroup': '0::/kubepods/pod1/app\n',
    'proc/4343/cgroup': '0::/kubepods/pod1/free\n',
    'proc/4444/cgroup': '0::/\n',
    'cgroup/cgroup.controllers': 'cpu memory pids\n',
    // The root has no memory.max or memory.current in v2.
    'cgroup/kubepods/memory.max': 'max\n',
    'cgroup/kubepods/memory.current': `${3000 * MiB}\n`,
    'cgroup/kubepods/pod1/memory.max': `${1024 * MiB}\n`,
    'cgroup/kubepods/pod1/memory.current': `${700 * MiB}\n`,
    'cgroup/kubepods/pod1/memory.stat': `anon ${600 * MiB}\ninactive_file ${50 * MiB}\n`,
    'cgroup/kubepods/pod1/app/memory.max': `${512 * MiB}\n`,
    'cgroup/kubepods/pod1/app/memory.current': `${200 * MiB}\n`,
    'cgroup/kubepods/pod1/free/memory.max': 'max\n',
    'cgroup/kubepods/pod1/free/memory.current': `${10 * MiB}\n`,
  });
  const options = { procRoot: join(root, 'proc'), cgroupRoot: join(root, 'cgroup') };
  // app: its own 512M limit leaves 312M, but pod1's leaves 1024 - (700 - 50) = 374M: app's own is tighter.
  assert.deepEqual(readMemoryCgroup(4242, options), {
    version: 2,
    path: '/kubepods/pod1/app',
    tightest: { path: '/kubepods/pod1/app', limitBytes: 512 * MiB, usageBytes: 200 * MiB, roomBytes: 312 * MiB },
  });
  // free: no limit of its own, so pod1's binds it.
  assert.deepEqual(readMemoryCgroup(4343, options), {
    version: 2,
    path: '/kubepods/pod1/free',
    tightest: { path: '/kubepods/pod1', limitBytes: 1024 * MiB, usageBytes: 650 * MiB, roomBytes: 374 * MiB },
  });
  assert.deepEqual(readMemoryCgroup(4444, options), { version: 2, path: '/', tightest: null }, 'the root group: no limit');
  const gone = readMemoryCgroup(999_999, options);
  assert.ok(isUnavailable(gone) && gone.unavailable === 'gone');
});

test('v1, on a laid-out tree: the memory hierarchy at ROOT/memory, the "unlimited" root, total_inactive_file', () => {
  const root = join(temp, 'v1');
  layOut(root, {
    'proc/7/cgroup': '11:pids:/x\n4:memory:/docker/abc\n0::/\n',
    'proc/8/cgroup': '4:memory:/not-there\n',
    'cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n',
    'cgroup/memory/memory.usage_in_bytes': `${8000 * MiB}\n`,
    'cgroup/memory/docker/memory.limit_in_bytes': '9223372036854771712\n',
    'cgroup/memory/docker/memory.usage_in_bytes': `${900 * MiB}\n`,
    'cgroup/memory/docker/abc/memory.limit_in_bytes': `${700 * MiB}\n`,
    'cgroup/memory/docker/abc/memory.usage_in_bytes': `${160 * MiB}\n`,
    'cgroup/memory/docker/abc/memory.stat': `cache ${30 * MiB}\ninactive_file ${1 * MiB}\ntotal_inactive_file ${10 * MiB}\n`,
  });
  const options = { procRoot: join(root, 'proc'), cgroupRoot: join(root, 'cgroup') };
  assert.deepEqual(readMemoryCgroup(7, options), {
    version: 1,
    path: '/docker/abc',
    tightest: { path: '/docker/abc', limitBytes: 700 * MiB, usageBytes: 150 * MiB, roomBytes: 550 * MiB },
  });
  assert.equal(readMemoryCgroup(8, options), null, 'a group whose directory is not there is not readable: null');
});

test('this process, through the real /proc/self/mountinfo: a memory cgroup with a path, or none', () => {
  const mine = readMemoryCgroup('self');
  assert.ok(!isUnavailable(mine));
  if (mine !== null) {
    assert.ok(mine.path.startsWith('/'));
    if (mine.tightest) assert.ok(mine.tightest.limitBytes > 0 && mine.tightest.roomBytes <= mine.tightest.limitBytes);
  }
});

test('meminfo: MemTotal and MemAvailable in bytes', () => {
  assert.deepEqual(parseMeminfo('MemTotal:       24683712 kB\nMemFree:        23971232 kB\nMemAvailable:   24118272 kB\n'), {
    memTotalBytes: 24683712 * 1024,
    memAvailableBytes: 24118272 * 1024,
  });
  assert.equal(parseMeminfo('MemTotal: 1 kB\n'), null, 'a kernel older than 3.14 has no MemAvailable');
  const real = readMeminfo();
  assert.ok(!isUnavailable(real) && real.memAvailableBytes > 0 && real.memAvailableBytes <= real.memTotalBytes);
});
