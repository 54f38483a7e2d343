/**
 * The worker-thread path (issue 15) against the Node versions leaktop watches: targets run by the real binaries of
 * Node 18, 22, 24 and 26 (devDependencies `node18`…; 20 is leaktop's own, covered by test/cli/threads.test.ts).
 * test/fixtures/targets/worker-leak.cjs leaks WorkerLeak in its "leaky-worker" while its main thread is flat. On
 * each version, through SIGUSR1 and the NodeWorker domain:
 * - `threads --json` finds both workers by name, with a heap each (the thread id comes from the worker's inspector
 *   title: its `workerId` is not the thread id on these versions);
 * - `diff --pid --thread` counts the worker's leak exactly by object id (whole ticks of 25, none freed), and the
 *   main thread's diff has none of it;
 * - `snapshot --thread` + `summary` read that version's layout from a worker's isolate: 1,000 IdleKept exactly.
 * After every command nothing leaktop opened listens, and the target lives.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fixture, isAlive, killAllTargets, repoRoot, runLeaktop, startTarget, type Target } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

interface DiffRow {
  name: string;
  countDelta: number;
  new: number | null;
  deleted: number | null;
}

for (const major of [18, 22, 24, 26]) {
  const bin = `${repoRoot}node_modules/node${major}/bin/node`;
  const skip = existsSync(bin) ? false : `node_modules/node${major}/bin/node is missing (run npm ci): Node ${major} not tested`;
  describe(`worker threads on Node ${major}`, { skip }, () => {
    let target: Target;
    let dir: string;
    const threads = new Map<string, number>();
    const leftAsFound = () => {
      assert.deepEqual(ports(target.pid), [], 'the inspector leaktop opened is closed');
      assert.ok(isAlive(target.pid), 'the target lives');
    };

    before(async () => {
      assert.match(execFileSync(bin, ['--version'], { encoding: 'utf8' }), new RegExp(`^v${major}\\.`));
      dir = tempDir('leaktop-worker-compat-');
      target = await startTarget(bin, [fixture('worker-leak.cjs')]);
    });
    after(async () => {
      await target?.kill();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('threads --json: main and both workers by name, each with its heap', async () => {
      const { code, stdout, stderr } = await runLeaktop(['threads', String(target.pid), '--json'], { timeoutMs: 30_000 });
      assert.equal(code, 0, stderr);
      const result = JSON.parse(stdout) as { nodeVersion: string; threads: Array<{ threadId: number; name: string; heapUsedBytes: number | null }> };
      assert.match(result.nodeVersion, new RegExp(`^v${major}\\.`));
      for (const t of result.threads) {
        threads.set(t.name, t.threadId);
        assert.ok(t.heapUsedBytes !== null && t.heapUsedBytes > 0, JSON.stringify(t));
      }
      assert.deepEqual([...threads.keys()].sort(), ['idle-worker', 'leaky-worker', 'main']);
      assert.equal(threads.get('main'), 0);
      leftAsFound();
    });

    test("diff --pid --thread: the worker's leak by object id; the main thread's diff has none of it", async () => {
      const worker = await runLeaktop(['diff', '--pid', String(target.pid), '--thread', String(threads.get('leaky-worker')), '--wait', '1', '--json', '--no-retained'], { timeoutMs: 60_000 });
      assert.equal(worker.code, 0, worker.stderr);
      const leak = (JSON.parse(worker.stdout) as { rows: DiffRow[] }).rows.find((r) => r.name === 'WorkerLeak');
      assert.ok(leak && leak.new! >= 25 && leak.new! % 25 === 0 && leak.deleted === 0, JSON.stringify(leak));
      leftAsFound();
      const main = await runLeaktop(['diff', '--pid', String(target.pid), '--wait', '1', '--json', '--no-retained'], { timeoutMs: 60_000 });
      assert.equal(main.code, 0, main.stderr);
      assert.ok(!(JSON.parse(main.stdout) as { rows: DiffRow[] }).rows.some((r) => r.name === 'WorkerLeak'));
      leftAsFound();
    });

    test("snapshot --thread, then summary: the worker's isolate in this version's layout", async () => {
      const path = join(dir, 'idle.heapsnapshot');
      const taken = await runLeaktop(['snapshot', String(target.pid), '--thread', String(threads.get('idle-worker')), '-o', path, '--json'], { timeoutMs: 60_000 });
      assert.equal(taken.code, 0, taken.stderr);
      assert.equal((JSON.parse(taken.stdout) as { threadId: number }).threadId, threads.get('idle-worker'));
      leftAsFound();
      const summary = await runLeaktop(['summary', path, '--json', '--no-retained'], { timeoutMs: 60_000 });
      assert.equal(summary.code, 0, summary.stderr);
      const { rows } = JSON.parse(summary.stdout) as { rows: Array<{ name: string; count: number }> };
      assert.equal(rows.find((r) => r.name === 'IdleKept')?.count, 1000);
      assert.ok(!rows.some((r) => r.name === 'MainKept'));
    });
  });
}
