/**
 * `leaktop why PID` on a process with worker threads (issue 16), through the real bin against
 * test/fixtures/targets/worker-leak.cjs: "leaky-worker" keeps WorkerLeak objects in a Map (sped up here with
 * WORKER_LEAK_PER_TICK so that a short window shows megabytes), "idle-worker" holds a steady set, the main thread
 * stays flat. Without --thread, why watches every isolate, judges the growth `heap` (not `native`: the workers' heaps
 * count), names the leaking worker and runs its sample and snapshot steps there; with --thread it works on that
 * worker alone. Nothing may be left open: the inspector leaktop opened, the worker sessions, the registry.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { interruptWhy } from '../helpers/interrupt-why.js';
import { privateRuntimeDir } from '../helpers/left-open.js';
import { ports } from '../helpers/ports.js';
import { fixture, isAlive, killAllTargets, runLeaktop, startTarget, type Target } from '../helpers/targets.js';

const runtime = privateRuntimeDir();
after(async () => {
  await killAllTargets();
  rmSync(runtime.dir, { recursive: true, force: true });
});

interface WhyJson {
  pid: number;
  thread: number | null;
  verdict: string;
  evidence: { reason: string; rates: { heapFloor: number | null; workersHeapFloor?: number | null } };
  limit: { source: string } | null;
  culprits: Array<{ name: string | null; count: number | null; site: { functionName: string; url: string } | null }>;
  sites: Array<{ functionName: string; delta: number }>;
  skipped: Array<{ step: string; reason: string }>;
}

async function why(target: Target, args: string[]): Promise<WhyJson> {
  const { code, stdout, stderr } = await runLeaktop(['why', String(target.pid), '--duration', '6', '--json', ...args], { timeoutMs: 180_000, env: runtime.env });
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout) as WhyJson;
  assert.equal(result.pid, target.pid);
  assertNothingLeftOpen(target);
  return result;
}

function assertNothingLeftOpen(target: Target): void {
  assert.ok(isAlive(target.pid), 'the target lives');
  assert.deepEqual(ports(target.pid), [], 'no inspector left open');
  assert.deepEqual(runtime.registryFiles(), [], 'no opened inspector left in the registry');
}

describe('why on a process whose leak is in a worker thread', () => {
  let target: Target;
  let leaky = 0;
  let idle = 0;
  before(async () => {
    target = await startTarget(process.execPath, [fixture('worker-leak.cjs')], { env: { ...process.env, WORKER_LEAK_PER_TICK: '400' } });
    const { code, stdout, stderr } = await runLeaktop(['threads', String(target.pid), '--json'], { env: runtime.env });
    assert.equal(code, 0, stderr);
    const { threads } = JSON.parse(stdout) as { threads: Array<{ threadId: number; name: string }> };
    leaky = threads.find((t) => t.name === 'leaky-worker')!.threadId;
    idle = threads.find((t) => t.name === 'idle-worker')!.threadId;
    assert.ok(leaky > 0 && idle > 0 && leaky !== idle);
  });

  test('why PID: heap (not native), the leaking worker named in `thread`, its class the culprit', async () => {
    const result = await why(target, []);
    assert.equal(result.verdict, 'heap', result.evidence.reason);
    assert.match(result.evidence.reason, /workers' heap floor/);
    assert.equal(result.thread, leaky, 'the worker that grows, not the idle one or the main thread');
    assert.deepEqual(result.skipped, []);
    const top = result.culprits[0]!;
    assert.equal(top.name, 'WorkerLeak', JSON.stringify(result.culprits.map((c) => c.name)));
    assert.ok(top.count! > 1000);
    assert.ok(!result.culprits.some((c) => c.name === 'MainKept' || c.name === 'IdleKept'), 'the snapshots are of the worker');
    assert.equal(result.sites[0]?.functionName, 'workerLeakTick', 'sampled in the worker');
    assert.equal(result.limit?.source, 'v8-heap-limit');
  });

  test('why PID --thread ID --no-snapshots: every step on that worker', async () => {
    const result = await why(target, ['--thread', String(leaky), '--no-snapshots']);
    assert.equal(result.thread, leaky);
    assert.equal(result.verdict, 'heap', result.evidence.reason);
    assert.deepEqual(result.skipped.map((s) => s.step), ['snapshots']);
    assert.equal(result.sites[0]?.functionName, 'workerLeakTick');
    assert.ok(result.culprits.every((c) => c.name === null));
  });

  test('why PID --thread ID on the idle worker: its heap does not grow, so nothing costlier runs there', async () => {
    const result = await why(target, ['--thread', String(idle), '--no-snapshots']);
    assert.equal(result.thread, idle);
    // The process's RSS grows (the other worker's leak), so `unsure` or `native` may come out: never this heap's.
    assert.ok(result.verdict !== 'heap' && result.verdict !== 'off-heap', `${result.verdict}: ${result.evidence.reason}`);
    assert.deepEqual(result.skipped.map((s) => s.step), ['sample', 'snapshots']);
    assert.deepEqual(result.culprits, []);
  });

  test('why PID --thread 0: the main thread alone, its workers neither watched nor named', async () => {
    const result = await why(target, ['--thread', '0', '--no-snapshots']);
    assert.equal(result.thread, null);
    assert.doesNotMatch(result.evidence.reason, /workers' heap floor/);
    assert.notEqual(result.verdict, 'heap', result.evidence.reason);
  });

  test('SIGINT while every isolate is watched: exit 130, the worker sessions and the inspector leaktop opened closed', async () => {
    const { code, stderr } = await interruptWhy(target.pid, runtime.env);
    assert.equal(code, 130, stderr);
    assert.match(stderr, /stopped; nothing of leaktop's is left running/);
    assertNothingLeftOpen(target);
  });

  test('why PID --thread with an id that is no thread of it: one line naming its threads, exit 1, nothing left open', async () => {
    const { code, stdout, stderr } = await runLeaktop(['why', String(target.pid), '--thread', '99', '--duration', '1'], { env: runtime.env });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /^leaktop: process '\d+' has no thread 99; its threads are 0 \(main\), /);
    assertNothingLeftOpen(target);
  });
});
