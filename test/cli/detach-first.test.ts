/**
 * Close early, never block (issue 13): `leaks --pid` closes the target's inspector right after its last snapshot,
 * while leaktop is still analysing, and SIGTERM during that analysis ends leaktop at once — the analysis worker
 * terminated, the temp directory deleted, nothing listening. An analysis that runs out of memory kills the worker,
 * not leaktop: one clear line, exit 1, nothing left behind.
 *
 * A long analysis is made deterministic by the test hook LEAKTOP_TEST_ANALYSIS_DELAY_MS (analysis/protocol.ts):
 * the worker blocks that long before computing the candidates, as a huge heap would make it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isAlive, killAllTargets, leaktopBin, startNodeTarget } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';

after(killAllTargets);

/** The temp directories of the leaktop with this PID (named `leaktop-leaks-PID-XXXXXX`, `leaktop-diff-…`). */
const tempDirsOf = (pid: number, prefix = 'leaktop-leaks-') => readdirSync(tmpdir()).filter((f) => f.startsWith(`${prefix}${pid}-`));

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startLeaks(pid: number, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [leaktopBin, 'leaks', '--pid', String(pid), '--interval', '1', '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

test('leaks --pid: the inspector is closed while leaktop still analyses; SIGTERM then ends it (143), nothing left', async () => {
  const target = await startNodeTarget('retain-live.cjs', ['leak']);
  const run = startLeaks(target.pid, { LEAKTOP_TEST_ANALYSIS_DELAY_MS: '600000' });
  try {
    // The final snapshot is written, nothing listens, leaktop runs on: the analysis phase. (Not just "open, then
    // closed": while leaktop moves a new inspector off port 9229 nothing listens for a moment.)
    const finalWritten = () => tempDirsOf(run.child.pid!).some((d) => readdirSync(join(tmpdir(), d)).some((f) => f.endsWith('-final.heapsnapshot')));
    await until(
      () => {
        if (run.child.exitCode !== null) throw new Error(`leaktop ended early: ${run.output().stderr}`);
        return finalWritten() && ports(target.pid).length === 0;
      },
      90_000,
      'the final snapshot written and the inspector closed while leaktop runs',
    );
    assert.equal(run.child.exitCode, null, 'leaktop is still analysing');
    assert.equal(tempDirsOf(run.child.pid!).length, 1, 'its temp directory with the snapshots is still there');
    const dir = tempDirsOf(run.child.pid!)[0]!;
    const stoppedAt = Date.now();
    process.kill(run.child.pid!, 'SIGTERM');
    const { code } = await run.exited;
    assert.equal(code, 143, run.output().stderr);
    assert.ok(Date.now() - stoppedAt < 10_000, 'SIGTERM was served during the analysis');
    assert.equal(run.output().stdout, '', 'no report');
    assert.ok(!existsSync(join(tmpdir(), dir)), 'the temp dir is gone');
    assert.deepEqual(ports(target.pid), [], 'no inspector listening');
    assert.ok(isAlive(target.pid), 'the target lives on');
  } finally {
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
    await target.kill();
  }
});

test('leaks --pid whose analysis runs out of memory: one line with the limit, exit 1, nothing left behind', async () => {
  const target = await startNodeTarget('many-shapes.cjs');
  const run = startLeaks(target.pid, { LEAKTOP_ANALYSIS_HEAP_MB: '8' });
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('leaktop did not end within 120 s')), 120_000)));
    const { code } = await Promise.race([run.exited, timeout]).finally(() => clearTimeout(timer));
    const { stdout, stderr } = run.output();
    assert.equal(code, 1, stderr);
    assert.equal(stdout, '');
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines[0], 'leaktop: the analysis ran out of memory (8 MB limit)', stderr);
    assert.equal(lines.length, 2, `the line and its hint, no stack: ${stderr}`);
    assert.match(lines[1]!, /LEAKTOP_ANALYSIS_HEAP_MB/);
    assert.deepEqual(tempDirsOf(run.child.pid!), [], 'the temp dir is gone');
    assert.deepEqual(ports(target.pid), [], 'no inspector listening');
    assert.ok(isAlive(target.pid), 'the target lives on');
  } finally {
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
    await target.kill();
  }
});

test('diff --pid: detached after snapshot B, before the comparison; SIGINT during it ends leaktop (130), nothing left', async () => {
  const target = await startNodeTarget('retain-live.cjs', ['leak']);
  const child = spawn(process.execPath, [leaktopBin, 'diff', '--pid', String(target.pid), '--wait', '1', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LEAKTOP_TEST_ANALYSIS_DELAY_MS: '600000' },
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  try {
    const bWritten = () => tempDirsOf(child.pid!, 'leaktop-diff-').some((d) => readdirSync(join(tmpdir(), d)).some((f) => f.endsWith('-B.heapsnapshot')));
    await until(
      () => {
        if (child.exitCode !== null) throw new Error(`leaktop ended early: ${stderr}`);
        return bWritten() && ports(target.pid).length === 0;
      },
      90_000,
      'snapshot B written and the inspector closed while leaktop compares',
    );
    const dir = tempDirsOf(child.pid!, 'leaktop-diff-')[0]!;
    process.kill(child.pid!, 'SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.ok(!existsSync(join(tmpdir(), dir)), 'the temp dir is gone');
    assert.deepEqual(ports(target.pid), [], 'no inspector listening');
    assert.ok(isAlive(target.pid), 'the target lives on');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await target.kill();
  }
});
