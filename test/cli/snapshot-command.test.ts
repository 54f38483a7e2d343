import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { SnapshotSidecar } from '../../src/inspector/take-snapshot.js';
import { isAlive, killAllTargets, leaktopBin, runLeaktop, startNodeTarget } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('leaktop-snapshot-command-');

after(async () => {
  await killAllTargets();
  rmSync(dir, { recursive: true, force: true });
});

test('snapshot PID -o FILE: prints the path, writes file and sidecar, closes the inspector it opened', async () => {
  const target = await startNodeTarget('idle.cjs');
  const subdir = tempDir('o-', dir);
  const file = join(subdir, 'mine.heapsnapshot');
  const { code, stdout, stderr } = await runLeaktop(['snapshot', String(target.pid), '-o', file]);
  assert.equal(code, 0, stderr);
  assert.equal(stdout, `${file}\n`);
  // No progress when stderr is not a terminal: only the note of what the process kept.
  assert.match(stderr, new RegExp(`^leaktop: process ${target.pid} kept [+-]\\S+ after the snapshot \\(RSS \\S+ -> \\S+\\)(; 'leaktop trim ${target.pid}' gives it back)?\\n$`));
  assert.deepEqual(readdirSync(subdir).sort(), ['mine.heapsnapshot', 'mine.heapsnapshot.json']);
  const sidecar = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as SnapshotSidecar;
  assert.equal(sidecar.pid, target.pid);
  assert.equal(sidecar.bytes, statSync(file).size);
  assert.equal(sidecar.gc, true);
  assert.match(sidecar.sessionId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(ports(target.pid), [], 'inspector closed afterwards');
  assert.ok(isAlive(target.pid));
});

test('snapshot PID --dir DIR --json --no-gc: the default name in DIR, and a JSON object', async () => {
  const target = await startNodeTarget('idle.mjs');
  const subdir = tempDir('dir-', dir);
  const { code, stdout, stderr } = await runLeaktop(['snapshot', String(target.pid), '--dir', subdir, '--json', '--no-gc']);
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout) as { path: string; sidecarPath: string; bytes: number; durationMs: number; pid: number; rssBeforeBytes: number; rssAfterBytes: number };
  assert.deepEqual(Object.keys(result).sort(), ['bytes', 'cost', 'durationMs', 'path', 'pid', 'room', 'rssAfterBytes', 'rssBeforeBytes', 'sidecarPath', 'threadId']);
  assert.ok(result.rssBeforeBytes > 0 && result.rssAfterBytes > 0, stdout);
  const names = readdirSync(subdir).sort();
  assert.equal(names.length, 2, names.join());
  assert.match(names[0]!, new RegExp(`^leaktop-${target.pid}-\\d{8}-\\d{6}\\.heapsnapshot$`));
  assert.equal(result.path, join(subdir, names[0]!));
  assert.equal(result.sidecarPath, `${result.path}.json`);
  assert.equal(result.bytes, statSync(result.path).size);
  assert.equal(result.pid, target.pid);
  assert.ok(result.durationMs > 0);
  assert.equal((JSON.parse(readFileSync(result.sidecarPath, 'utf8')) as SnapshotSidecar).gc, false);
  assert.deepEqual(ports(target.pid), []);
});

test('snapshot of a missing PID: exit 1, one line, no stack', async () => {
  const { code, stdout, stderr } = await runLeaktop(['snapshot', '4194000', '--dir', dir]);
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
  assert.match(stderr, /^leaktop: process '4194000' does not exist/);
});

test('snapshot -o with --dir: a usage error, exit 2, nothing attached', async () => {
  const target = await startNodeTarget('idle.cjs');
  let targetErr = '';
  target.child.stderr!.on('data', (c: Buffer) => (targetErr += c.toString()));
  const { code, stdout, stderr } = await runLeaktop(['snapshot', String(target.pid), '-o', join(dir, 'a.heapsnapshot'), '--dir', dir]);
  assert.equal(code, 2);
  assert.equal(stdout, '');
  assert.equal(stderr, "leaktop: snapshot takes -o FILE or --dir DIR, not both\nRun 'leaktop --help' for usage.\n");
  assert.equal(targetErr, '', 'the target never heard of leaktop');
});

test('snapshot into a missing directory: exit 1 naming the path, and the target is not even signalled', async () => {
  const target = await startNodeTarget('idle.cjs');
  let targetErr = '';
  target.child.stderr!.on('data', (c: Buffer) => (targetErr += c.toString()));
  const file = join(dir, 'no-such-dir', 'x.heapsnapshot');
  const { code, stderr } = await runLeaktop(['snapshot', String(target.pid), '-o', file]);
  assert.equal(code, 1);
  assert.match(stderr, new RegExp(`^leaktop: could not write the snapshot '${file}': the directory '.*no-such-dir' does not exist\\n`));
  assert.ok(!stderr.includes('    at '), 'no stack');
  assert.equal(targetErr, '', 'no "Debugger listening" in the target: it was not signalled');
  assert.equal(existsSync(join(dir, 'no-such-dir')), false);
});

test('a write error mid-snapshot (ulimit -f): exit 1 naming the path, no .partial, inspector closed', async () => {
  const target = await startNodeTarget('idle.cjs');
  const subdir = tempDir('fsize-', dir);
  const file = join(subdir, 'big.heapsnapshot');
  // 1 MiB per file; the idle target's snapshot is ~4 MB. Node ignores SIGXFSZ, so the write fails with EFBIG.
  const child = spawn('bash', ['-c', 'ulimit -f 1024 && exec "$0" "$@"', process.execPath, leaktopBin, 'snapshot', String(target.pid), '-o', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 1, stderr);
  assert.match(stderr, new RegExp(`^leaktop: could not write the snapshot '${file}': `));
  assert.deepEqual(readdirSync(subdir), []);
  assert.deepEqual(ports(target.pid), []);
});

test('SIGTERM mid-snapshot: the partial is deleted, the inspector closed, exit 143', async () => {
  const target = await startNodeTarget('big-heap.cjs', ['20']);
  const subdir = tempDir('term-', dir);
  const file = join(subdir, 'stopped.heapsnapshot');
  const leaktop = spawn(process.execPath, [leaktopBin, 'snapshot', String(target.pid), '-o', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => leaktop.on('close', resolve));
  try {
    const deadline = Date.now() + 10_000;
    while (!existsSync(`${file}.partial`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(existsSync(`${file}.partial`), 'the snapshot started');
    // Inside the GC or the snapshot, which together take a few seconds on this target.
    await new Promise((r) => setTimeout(r, 300));
    leaktop.kill('SIGTERM');
    assert.equal(await exited, 143);
    assert.deepEqual(readdirSync(subdir), []);
    assert.deepEqual(ports(target.pid), [], 'inspector closed');
    assert.ok(isAlive(target.pid));
  } finally {
    leaktop.kill('SIGKILL');
  }
});
