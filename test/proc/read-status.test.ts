import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStatus, readStatus } from '../../src/proc/read-status.js';
import { isUnavailable } from '../../src/proc/read-file.js';

const status = `Name:\tnode
Umask:\t0022
State:\tS (sleeping)
Tgid:\t4310
Pid:\t4310
PPid:\t4307
Uid:\t1000\t1000\t1000\t1000
Gid:\t1000\t1000\t1000\t1000
VmRSS:\t   40148 kB
Threads:\t7
SigQ:\t0/94753
SigPnd:\t0000000000000000
ShdPnd:\t0000000000000000
SigBlk:\t0000000000000000
SigIgn:\t0000000001001000
SigCgt:\t0000000188004602
`;

test('parses uid, RSS in bytes, threads and signal masks', () => {
  const parsed = parseStatus(status)!;
  assert.equal(parsed.uid, 1000);
  assert.equal(parsed.rssBytes, 40148 * 1024);
  assert.equal(parsed.threads, 7);
  assert.equal(parsed.sigCaught, 0x188004602n);
  assert.equal(parsed.sigCaught & 0x200n, 0x200n, 'SIGUSR1 (10) is bit 9');
  assert.equal(parsed.sigBlocked, 0n);
  assert.equal(parsed.sigPending, 0n);
});

test('pending signals are the thread\'s and the process\'s together (a SIGUSR1 waiting in a stopped process)', () => {
  const pending = status.replace('ShdPnd:\t0000000000000000', 'ShdPnd:\t0000000000000200').replace('SigPnd:\t0000000000000000', 'SigPnd:\t0000000000000800');
  assert.equal(parseStatus(pending)!.sigPending, 0xa00n);
});

test('a kernel thread or zombie has no VmRSS', () => {
  const parsed = parseStatus('Name:\tkworker/0:1\nUid:\t0\t0\t0\t0\nThreads:\t1\n')!;
  assert.equal(parsed.rssBytes, null);
  assert.equal(parsed.sigCaught, 0n);
});

test('no Uid line is not a status file', () => {
  assert.equal(parseStatus('garbage'), null);
});

test('reads our own status', () => {
  const self = readStatus('self');
  assert.ok(!isUnavailable(self));
  assert.equal(self.uid, process.getuid!());
  assert.ok(self.rssBytes! > 0);
});

test('TracerPid: 0 when absent or untraced, the tracer otherwise', () => {
  assert.equal(parseStatus(status)!.tracerPid, 0);
  assert.equal(parseStatus(`${status}TracerPid:\t4711\n`)!.tracerPid, 4711);
});

test('NSpid: the PID in its own namespace (the last field) when it differs from the host PID, else null', () => {
  assert.equal(parseStatus(`${status}NSpid:\t4310\n`)!.nsPid, null, 'no PID namespace');
  assert.equal(parseStatus(`${status}NSpid:\t4310\t1\n`)!.nsPid, 1);
  assert.equal(parseStatus(`${status}NSpid:\t4310\t88\t7\n`)!.nsPid, 7, 'nested namespaces: the innermost');
  assert.equal(parseStatus(status)!.nsPid, null, 'kernels before 4.1 have no NSpid');
  assert.equal(parseStatus(`${status}NSpid:\tx\ty\n`)!.nsPid, null, 'garbage');
  assert.equal((readStatus('self') as { nsPid: number | null }).nsPid, null, 'this test runs in the host namespace');
});
