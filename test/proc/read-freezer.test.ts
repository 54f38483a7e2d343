import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCgroupMounts, parseCgroupPaths } from '../../src/proc/cgroup-hierarchy.js';
import { freezerStateFrozen, isFrozen, unifiedFrozen } from '../../src/proc/read-freezer.js';

test('the freezer\'s places: the v1 freezer hierarchy (alone or with others) and the unified one', () => {
  const hybrid = '9:name=systemd:/\n6:freezer:/docker/abc\n4:memory:/x\n0::/system.slice/app.service\n';
  assert.deepEqual(parseCgroupPaths(hybrid, 'freezer'), { v1: '/docker/abc', v2: '/system.slice/app.service' });
  assert.deepEqual(parseCgroupPaths('3:cpu,freezer,pids:/lxc/c1\n', 'freezer'), { v1: '/lxc/c1', v2: null });
  const mountinfo = [
    '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime shared:9 - cgroup cgroup rw,freezer',
    '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  ].join('\n');
  assert.deepEqual(parseCgroupMounts(mountinfo, 'freezer'), {
    v1: { mountPoint: '/sys/fs/cgroup/freezer', root: '/' },
    v2: { mountPoint: '/sys/fs/cgroup/unified', root: '/' },
  });
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
