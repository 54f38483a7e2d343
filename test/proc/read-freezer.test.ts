import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cgroupDir, freezerStateFrozen, isFrozen, parseFreezerMounts, parseFreezerPaths, unifiedFrozen } from '../../src/proc/read-freezer.js';

test('/proc/PID/cgroup: the v2 path and the v1 freezer path, whatever else is listed', () => {
  const hybrid = '9:name=systemd:/\n6:freezer:/docker/abc\n4:memory:/x\n0::/system.slice/app.service\n';
  assert.deepEqual(parseFreezerPaths(hybrid), { unified: '/system.slice/app.service', freezer: '/docker/abc' });
  assert.deepEqual(parseFreezerPaths('0::/user.slice/a:b\n'), { unified: '/user.slice/a:b', freezer: null }, 'a colon in the path');
  assert.deepEqual(parseFreezerPaths('3:cpu,freezer,pids:/lxc/c1\n'), { unified: null, freezer: '/lxc/c1' }, 'freezer mounted with others');
  assert.deepEqual(parseFreezerPaths(''), { unified: null, freezer: null });
});

test('mountinfo: the cgroup2 mount and the v1 freezer mount, escapes undone', () => {
  const text = [
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime shared:9 - cgroup cgroup rw,freezer',
    '41 31 0:38 /sub /sys/fs/cgroup/my\\040unified rw,relatime - cgroup2 cgroup2 rw',
    'garbage',
  ].join('\n');
  assert.deepEqual(parseFreezerMounts(text), {
    unified: { root: '/sub', mountPoint: '/sys/fs/cgroup/my unified' },
    freezer: { root: '/', mountPoint: '/sys/fs/cgroup/freezer' },
  });
  assert.deepEqual(parseFreezerMounts(''), { unified: null, freezer: null });
});

test('a cgroup path under a mount that shows all of the hierarchy, or only a subtree', () => {
  assert.equal(cgroupDir({ root: '/', mountPoint: '/sys/fs/cgroup' }, '/a/b'), '/sys/fs/cgroup/a/b');
  assert.equal(cgroupDir({ root: '/a', mountPoint: '/m' }, '/a/b'), '/m/b');
  assert.equal(cgroupDir({ root: '/a', mountPoint: '/m' }, '/a'), '/m');
  assert.equal(cgroupDir({ root: '/a', mountPoint: '/m' }, '/ab'), null, 'a sibling that merely shares the prefix');
});

test('frozen: v2 events or a freeze asked for, v1 FROZEN or FREEZING', () => {
  assert.equal(unifiedFrozen('populated 1\nfrozen 1\n', '0\n'), true, 'an ancestor froze it');
  assert.equal(unifiedFrozen('populated 1\nfrozen 0\n', '1\n'), true, 'freezing');
  assert.equal(unifiedFrozen('populated 1\nfrozen 0\n', '0\n'), false);
  assert.equal(unifiedFrozen(null, null), false);
  assert.equal(freezerStateFrozen('FROZEN\n'), true);
  assert.equal(freezerStateFrozen('FREEZING\n'), true);
  assert.equal(freezerStateFrozen('THAWED\n'), false);
  assert.equal(freezerStateFrozen(null), false);
});

test('this process is not frozen; a process that does not exist is not either', () => {
  assert.equal(isFrozen(process.pid), false);
  assert.equal(isFrozen(2 ** 22 + 1), false);
});
