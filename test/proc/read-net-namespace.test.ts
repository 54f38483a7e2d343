import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test, after } from 'node:test';
import { isUnavailable } from '../../src/proc/read-file.js';
import { readNetNamespace, sameNetNamespace } from '../../src/proc/read-net-namespace.js';
import { killAllTargets, startNodeTarget, startTarget } from '../helpers/targets.js';

after(killAllTargets);

test('reads our own network namespace as net:[inode]', () => {
  const self = readNetNamespace('self');
  assert.match(self as string, /^net:\[\d+\]$/);
  assert.equal(readNetNamespace(process.pid), self);
  assert.equal(sameNetNamespace(process.pid), true);
});

test('a child shares our namespace', async () => {
  const target = await startNodeTarget('idle.cjs');
  assert.equal(readNetNamespace(target.pid), readNetNamespace('self'));
  assert.equal(sameNetNamespace(target.pid), true);
});

test('a PID that does not exist is gone', () => {
  for (const result of [readNetNamespace(2 ** 22 + 1), sameNetNamespace(2 ** 22 + 1)]) {
    assert.ok(isUnavailable(result) && result.unavailable === 'gone');
  }
});

// Needs root (or user namespaces) and util-linux unshare; a container is the same situation.
const canUnshare = spawnSync('unshare', ['--net', 'true']).status === 0;

test('a process in its own network namespace is not in ours', { skip: !canUnshare && 'unshare --net is not permitted here' }, async () => {
  // unshare execs the command, so the PID we get is the PID that lives in the new namespace.
  const target = await startTarget('unshare', ['--net', process.execPath, '-e', 'setInterval(() => {}, 1000); console.log("ready")']);
  const theirs = readNetNamespace(target.pid);
  assert.match(theirs as string, /^net:\[\d+\]$/);
  assert.notEqual(theirs, readNetNamespace('self'));
  assert.equal(sameNetNamespace(target.pid), false);
});
