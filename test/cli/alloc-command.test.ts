/**
 * `leaktop alloc` end to end, against a real child that leaks from one known function and makes ten times as
 * much garbage from another (test/fixtures/targets/alloc-sites.cjs).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { askSampling, functionLine } from '../helpers/sampling-probe.js';
import { fixture, killAllTargets, leaktopBin, runLeaktop, startNodeTarget, type Target } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

const LEAK_LINE = functionLine('alloc-sites.cjs', 'leakSessions');
const GARBAGE_LINE = functionLine('alloc-sites.cjs', 'makeGarbage');

interface SiteJson {
  functionName: string;
  url: string;
  line: number;
  column: number;
  bytes: number;
  share: number;
  bytesBefore?: number;
  delta?: number;
  stack?: Array<{ functionName: string; url: string; line: number }>;
}

/** Starts `leaktop alloc` in the background; resolves with its exit code and output when it ends. */
function startAlloc(args: string[]) {
  const child = spawn(process.execPath, [leaktopBin, 'alloc', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

/** Waits until the target says its sampler runs (leaktop has attached and started it). */
async function untilSampling(target: Target, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await askSampling(target)) !== 'active') {
    if (Date.now() > deadline) throw new Error('the sampler never started');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('--compare --json: the leaking function is the first growing site, the garbage one does not grow; -o writes a DevTools profile', async () => {
  const dir = tempDir('leaktop-alloc-');
  try {
    const target = await startNodeTarget('alloc-sites.cjs');
    const file = join(dir, 'run.heapprofile');
    const { code, stdout, stderr } = await runLeaktop(['alloc', '--pid', String(target.pid), '--duration', '3', '--compare', '--json', '-o', file]);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as { intervalBytes: number; totalBytes: number; totalBytesBefore: number; sites: SiteJson[]; profilePath: string };
    assert.equal(report.intervalBytes, 131072, 'the default interval');
    const [first] = report.sites;
    assert.ok(first, stdout);
    assert.deepEqual([first.functionName, first.url, first.line], ['leakSessions', fixture('alloc-sites.cjs'), LEAK_LINE], 'the leak is first, at its 1-based line');
    assert.ok(first.delta! > 0 && first.bytes === first.bytesBefore! + first.delta!, JSON.stringify(first));
    assert.ok(first.bytesBefore! > 0, 'the half-way profile already had some of the leak');
    const growing = report.sites.filter((s) => s.delta! > 0);
    assert.ok(!growing.some((s) => s.functionName === 'makeGarbage' || s.line === GARBAGE_LINE), `garbage is not growing: ${JSON.stringify(growing)}`);
    for (let i = 1; i < report.sites.length; i++) assert.ok(report.sites[i - 1]!.delta! >= report.sites[i]!.delta!, 'sorted by delta');

    assert.equal(report.profilePath, file);
    assert.deepEqual(readdirSync(dir), ['run.heapprofile'], 'no .partial left');
    const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: { callFrame: { functionName: string }; children: unknown[] }; samples: Array<{ size: number; nodeId: number; ordinal: number }> };
    assert.deepEqual(Object.keys(profile).sort(), ['head', 'samples'], 'the DevTools .heapprofile shape');
    assert.equal(profile.head.callFrame.functionName, '(root)');
    assert.ok(profile.samples.length > 0 && profile.samples.every((s) => s.size > 0 && Number.isInteger(s.nodeId)));
    assert.match(JSON.stringify(profile.head), /"functionName":"leakSessions"/);

    assert.equal(await askSampling(target), 'inactive', 'the sampler is stopped at the end');
    assert.deepEqual(ports(target.pid), [], 'the inspector leaktop opened is closed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('text, --by stack: the site at its first line with its callers, and the note on what a site is', async () => {
  const target = await startNodeTarget('alloc-sites.cjs');
  const { code, stdout, stderr } = await runLeaktop(['alloc', '--pid', String(target.pid), '--duration', '1.5', '--by', 'stack', '--top', '3', '--interval', '16384']);
  assert.equal(code, 0, stderr);
  const lines = stdout.split('\n');
  assert.match(lines[0]!, new RegExp(`^PID ${target.pid}: live memory by allocation site, sampled every 16 KiB for 1\\.5 s`));
  const at = lines.findIndex((l) => l.endsWith(`alloc-sites.cjs:${LEAK_LINE} leakSessions`));
  assert.ok(at > 1, stdout);
  assert.match(lines[at]!, /^\s+\S+\s+\d+\.\d%\s+\S/);
  assert.match(lines[at + 1]!, /^\s+< node:internal\/timers:\d+ listOnTimeout$/, 'the caller on the next line');
  assert.match(stdout, /A site is a function, shown at its first line/);
});

test('SIGTERM mid-run: the sampler is stopped, the inspector closed, one line, exit 143, no file', async () => {
  const dir = tempDir('leaktop-alloc-');
  try {
    const target = await startNodeTarget('alloc-sites.cjs');
    const file = join(dir, 'never.heapprofile');
    const run = startAlloc(['--pid', String(target.pid), '--duration', '60', '-o', file]);
    await untilSampling(target);
    assert.equal(ports(target.pid).length, 1, 'leaktop opened an inspector');
    run.child.kill('SIGTERM');
    const { code, stdout, stderr } = await run.done;
    assert.equal(code, 143);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`^leaktop: interrupted; the allocation sampler in process ${target.pid} is stopped and the inspector leaktop opened is closed\\n$`));
    assert.equal(await askSampling(target), 'inactive');
    assert.deepEqual(ports(target.pid), []);
    assert.ok(!existsSync(file) && readdirSync(dir).length === 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the target exits mid-run: one line saying so, exit 1, no stack', async () => {
  const target = await startNodeTarget('alloc-sites.cjs');
  const run = startAlloc(['--pid', String(target.pid), '--duration', '60', '--json']);
  await untilSampling(target);
  const started = Date.now();
  await target.kill();
  const { code, stdout, stderr } = await run.done;
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(stderr, new RegExp(`^leaktop: process '${target.pid}' exited while its allocations were sampled; nothing to report\\n`));
  assert.ok(!stderr.includes('    at '), stderr);
  assert.ok(Date.now() - started < 10_000, 'it did not wait for the whole duration');
});

test('a second sampler on the same process is refused, and does not stop the first', async () => {
  const target = await startNodeTarget('alloc-sites.cjs');
  const first = startAlloc(['--pid', String(target.pid), '--duration', '6', '--json']);
  await untilSampling(target);
  const second = await runLeaktop(['alloc', '--pid', String(target.pid), '--duration', '1']);
  assert.equal(second.code, 1);
  assert.match(second.stderr, new RegExp(`^leaktop: process '${target.pid}' is already sampling allocations`));
  assert.equal(await askSampling(target), 'active', 'the first run still samples');
  const { code, stdout, stderr } = await first.done;
  assert.equal(code, 0, stderr);
  assert.equal((JSON.parse(stdout) as { sites: SiteJson[] }).sites[0]?.functionName, 'leakSessions');
  assert.equal(await askSampling(target), 'inactive');
  assert.deepEqual(ports(target.pid), []);
});

test('usage errors: exit 2 with one line', async () => {
  const missing = await runLeaktop(['alloc', '--pid', '1']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^leaktop: required option '--duration <seconds>' not specified\n/);
  const badBy = await runLeaktop(['alloc', '--pid', '1', '--duration', '1', '--by', 'file']);
  assert.equal(badBy.code, 2);
  const badInterval = await runLeaktop(['alloc', '--pid', '1', '--duration', '1', '--interval', '0']);
  assert.equal(badInterval.code, 2);
});
