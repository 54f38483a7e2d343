import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readKernelThread } from '../../src/proc/read-kernel-thread.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = tempDir('leaktop-kthread-');
after(() => rmSync(root, { recursive: true, force: true }));

function fakeStat(pid: number, comm: string, state: string, flags: number): void {
  mkdirSync(join(root, String(pid)), { recursive: true });
  // Fields from the state on, as proc_pid_stat(5) lists them; flags is field 9.
  const rest = [state, '0', '0', '0', '0', '-1', String(flags), ...Array.from({ length: 45 }, () => '0')];
  writeFileSync(join(root, String(pid), 'stat'), `${pid} (${comm}) ${rest.join(' ')}\n`);
}

test('kernel threads by PF_KTHREAD, zombies by state, others null, a missing PID gone — names with ") (" included', () => {
  fakeStat(2, 'kthreadd', 'S', 0x208040);
  fakeStat(30, 'kworker/0:1-events', 'I', 0x4208060);
  fakeStat(40, 'node) (S 1 fake', 'Z', 0x400100);
  fakeStat(50, 'node', 'S', 0x400100);
  assert.equal(readKernelThread(2, root), 'kernel-thread');
  assert.equal(readKernelThread(30, root), 'kernel-thread');
  assert.equal(readKernelThread(40, root), 'zombie');
  assert.equal(readKernelThread(50, root), null);
  assert.equal(readKernelThread(60, root), 'gone');
});

test('the real PID 2 (kthreadd) and this process', (t) => {
  let stat = '';
  try {
    stat = readFileSync('/proc/2/stat', 'latin1');
  } catch {
    // no PID 2 in this PID namespace
  }
  if (!stat.includes('(kthreadd)')) return t.skip('PID 2 is not kthreadd here');
  assert.equal(readKernelThread(2), 'kernel-thread');
  assert.equal(readKernelThread(process.pid), null);
});
