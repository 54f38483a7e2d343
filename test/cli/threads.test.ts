/**
 * Worker threads (issue 15), through the real bin against test/fixtures/targets/worker-leak.cjs: its worker
 * "leaky-worker" keeps 25 WorkerLeak per 50 ms in a Map while its main thread stays flat (MainKept kept, MainChurn
 * replaced), and "idle-worker" holds 1,000 IdleKept. Every command opens the inspector through SIGUSR1 and must
 * leave no listener behind.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { killAllTargets, runLeaktop, startNodeTarget, type Target } from '../helpers/targets.js';
import { ports } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

after(killAllTargets);

interface ThreadRow {
  threadId: number;
  name: string;
  url: string | null;
  heapUsedBytes: number | null;
  heapTotalBytes: number | null;
}
interface DiffRow {
  name: string;
  countDelta: number;
  new: number | null;
  deleted: number | null;
}

test('threads of a process without workers: the main thread alone; --thread 1 there lists just that', async () => {
  const target = await startNodeTarget('idle.cjs');
  const { code, stdout, stderr } = await runLeaktop(['threads', String(target.pid), '--json']);
  assert.equal(code, 0, stderr);
  const { threads } = JSON.parse(stdout) as { threads: ThreadRow[] };
  assert.deepEqual(threads.map((t) => [t.threadId, t.name]), [[0, 'main']]);
  const unknown = await runLeaktop(['snapshot', String(target.pid), '--thread', '1']);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, `leaktop: process '${target.pid}' has no thread 1; its threads are 0 (main)\n`);
  assert.deepEqual(ports(target.pid), []);
  await target.kill();
});

describe('a process whose worker leaks while its main thread is flat', () => {
  let target: Target;
  let leaky: number;
  let idle: number;
  const dir = tempDir('leaktop-threads-test-');

  before(async () => {
    target = await startNodeTarget('worker-leak.cjs');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('threads PID --json lists the main thread and both workers, each with its own heap', async () => {
    const { code, stdout, stderr } = await runLeaktop(['threads', String(target.pid), '--json']);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout) as { pid: number; threads: ThreadRow[] };
    assert.equal(result.pid, target.pid);
    assert.deepEqual(result.threads.map((t) => t.name).sort(), ['idle-worker', 'leaky-worker', 'main']);
    assert.equal(result.threads[0]!.threadId, 0);
    assert.equal(result.threads[0]!.url, null);
    for (const t of result.threads) {
      assert.ok(t.heapUsedBytes !== null && t.heapUsedBytes > 0 && t.heapTotalBytes !== null && t.heapTotalBytes >= t.heapUsedBytes, JSON.stringify(t));
      if (t.threadId > 0) assert.match(t.url!, /^file:\/\/.*worker-leak\.cjs$/);
    }
    leaky = result.threads.find((t) => t.name === 'leaky-worker')!.threadId;
    idle = result.threads.find((t) => t.name === 'idle-worker')!.threadId;
    assert.notEqual(leaky, idle);
    assert.ok(leaky > 0 && idle > 0);
    assert.deepEqual(ports(target.pid), [], 'the inspector it opened is closed');
  });

  test('threads PID in text: one line per thread with its heap', async () => {
    const { code, stdout } = await runLeaktop(['threads', String(target.pid)]);
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /THREAD\s+HEAP\s+TOTAL\s+NAME/);
    assert.match(lines[1]!, /^\s+0\s+\S+\s+\S+\s+main$/);
    assert.match(stdout, new RegExp(`\\n\\s+${leaky}\\s+\\S+\\s+\\S+\\s+leaky-worker  file://`));
    assert.ok(lines.every((l) => l.length <= 80 || l.includes('file://')));
    assert.deepEqual(ports(target.pid), []);
  });

  test("diff --pid --thread names the worker's leaked class; the main thread's diff does not", async () => {
    const worker = await runLeaktop(['diff', '--pid', String(target.pid), '--thread', String(leaky), '--wait', '1', '--json', '--no-retained'], { timeoutMs: 60_000 });
    assert.equal(worker.code, 0, worker.stderr);
    const workerDiff = JSON.parse(worker.stdout) as { rows: DiffRow[]; threadId: number };
    assert.equal(workerDiff.threadId, leaky);
    const leak = workerDiff.rows.find((r) => r.name === 'WorkerLeak');
    assert.ok(leak, 'WorkerLeak is in the worker diff');
    assert.ok(leak.new! >= 25 && leak.new! % 25 === 0, `whole ticks of 25 new: ${leak.new}`);
    assert.equal(leak.deleted, 0);
    assert.ok(!workerDiff.rows.some((r) => r.name === 'MainKept' || r.name === 'MainChurn'), 'no main-thread class in the worker heap');
    assert.deepEqual(ports(target.pid), []);

    const main = await runLeaktop(['diff', '--pid', String(target.pid), '--wait', '1', '--json', '--no-retained'], { timeoutMs: 60_000 });
    assert.equal(main.code, 0, main.stderr);
    const mainDiff = JSON.parse(main.stdout) as { rows: DiffRow[]; threadId: number };
    assert.equal(mainDiff.threadId, 0);
    assert.ok(!mainDiff.rows.some((r) => r.name === 'WorkerLeak'), 'the main thread does not hold the leak');
    const churn = mainDiff.rows.find((r) => r.name === 'MainChurn');
    assert.ok(!churn || churn.countDelta <= 0, 'the main thread does not grow');
    assert.deepEqual(ports(target.pid), []);
  });

  test("snapshot --thread writes that worker's heap: valid, its classes only, the sidecar names the thread", async () => {
    const { code, stdout, stderr } = await runLeaktop(['snapshot', String(target.pid), '--thread', String(idle), '--dir', dir, '--json'], { timeoutMs: 60_000 });
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout) as { path: string; sidecarPath: string; threadId: number; bytes: number };
    assert.equal(result.threadId, idle);
    assert.match(result.path, new RegExp(`leaktop-${target.pid}-t${idle}-\\d{8}-\\d{6}\\.heapsnapshot$`));
    assert.equal(statSync(result.path).size, result.bytes);
    assert.equal(statSync(result.path).mode & 0o777, 0o600);
    const sidecar = JSON.parse(readFileSync(result.sidecarPath, 'utf8')) as { pid: number; threadId: number };
    assert.equal(sidecar.pid, target.pid);
    assert.equal(sidecar.threadId, idle);
    assert.deepEqual(ports(target.pid), []);
    const summary = await runLeaktop(['summary', result.path, '--json', '--no-retained'], { timeoutMs: 60_000 });
    assert.equal(summary.code, 0, summary.stderr);
    const { rows } = JSON.parse(summary.stdout) as { rows: Array<{ name: string; count: number }> };
    assert.equal(rows.find((r) => r.name === 'IdleKept')?.count, 1000);
    assert.ok(!rows.some((r) => r.name === 'MainKept' || r.name === 'WorkerLeak'), 'no other isolate in it');
  });

  test('gc --thread collects in that worker; an unknown thread is one line listing the ones there are', async () => {
    const gc = await runLeaktop(['gc', String(target.pid), '--thread', String(leaky), '--json']);
    assert.equal(gc.code, 0, gc.stderr);
    const result = JSON.parse(gc.stdout) as { threadId: number; heapUsedBeforeBytes: number; heapUsedAfterBytes: number };
    assert.equal(result.threadId, leaky);
    assert.ok(result.heapUsedBeforeBytes > 0 && result.heapUsedAfterBytes > 0);
    const text = await runLeaktop(['gc', String(target.pid), '--thread', String(leaky)]);
    assert.match(text.stdout, new RegExp(`^PID ${target.pid} thread ${leaky}: heap \\S+ -> \\S+`));

    const unknown = await runLeaktop(['gc', String(target.pid), '--thread', '99']);
    assert.equal(unknown.code, 1);
    const expected = `leaktop: process '${target.pid}' has no thread 99; its threads are 0 (main), ${[
      [leaky, 'leaky-worker'],
      [idle, 'idle-worker'],
    ]
      .sort((a, b) => (a[0] as number) - (b[0] as number))
      .map(([id, name]) => `${id} (${name})`)
      .join(', ')}\n`;
    assert.equal(unknown.stderr, expected);
    assert.deepEqual(ports(target.pid), [], 'closed after the refusal too');
  });

  test('alloc --thread samples in the worker: its leaking function is the site', async () => {
    const { code, stdout, stderr } = await runLeaktop(['alloc', '--pid', String(target.pid), '--thread', String(leaky), '--duration', '1', '--interval', '4096', '--json'], { timeoutMs: 30_000 });
    assert.equal(code, 0, stderr);
    const { sites } = JSON.parse(stdout) as { sites: Array<{ functionName: string }> };
    assert.equal(sites[0]?.functionName, 'workerLeakTick');
    assert.deepEqual(ports(target.pid), []);
  });

  test("watch --heap --thread: the heap figures are the worker's, and it closes what it opened", async () => {
    const { code, stdout, stderr } = await runLeaktop(['watch', String(target.pid), '--heap', '--thread', String(leaky), '--json', '--count', '2', '--interval', '0.25']);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { pid: number; threadId: number; heapUsedBytes: number | null });
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.equal(line.pid, target.pid);
      assert.equal(line.threadId, leaky);
      assert.ok(line.heapUsedBytes !== null && line.heapUsedBytes > 0);
    }
    assert.deepEqual(ports(target.pid), []);
  });

  test('--thread is refused where it means nothing', async () => {
    for (const args of [['gc', String(target.pid), '--thread', '-1'], ['gc', String(target.pid), '--thread', 'x'], ['watch', String(target.pid), '--thread', '1'], ['diff', 'a', 'b', '--thread', '1']]) {
      const { code, stderr } = await runLeaktop(args);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.ok(!stderr.includes('    at '));
    }
  });
});
