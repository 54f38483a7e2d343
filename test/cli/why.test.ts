/**
 * `leaktop why PID` end to end against real leaks (test/fixtures/targets/why): a cache that never evicts (heap),
 * Buffers kept in a Map (off-heap), an N-API addon that mallocs and never frees (native; compiled here with gcc
 * against Node's own headers), and a bounded churn (none) — each verdict; for the heap one the class, its holder
 * on the top path and the allocating function, also from sampling alone when a memory cgroup leaves no room for
 * snapshots. Windows are short (--duration): the judgement's minimum window follows the duration.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, test } from 'node:test';
import { interruptWhy } from '../helpers/interrupt-why.js';
import { privateRuntimeDir } from '../helpers/left-open.js';
import { makeMemoryCgroup, memoryCgroupUnavailable, removeAllMemoryCgroups } from '../helpers/memory-cgroup.js';
import { buildLeakAddon, nativeAddonUnavailable } from '../helpers/native-addon.js';
import { ports } from '../helpers/ports.js';
import { fixture, isAlive, killAllTargets, runLeaktop, startTarget, type Target } from '../helpers/targets.js';

const runtime = privateRuntimeDir();
const made: string[] = [runtime.dir];
after(async () => {
  try {
    await killAllTargets();
    await removeAllMemoryCgroups();
  } finally {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  }
});

interface WhyJson {
  pid: number;
  thread: number | null;
  verdict: string;
  evidence: {
    reason: string;
    rates: { heapFloor: number | null; external: number | null; native: number | null; rss: number | null };
    fullGcs: number;
    forcedGcs: number;
    unforcedUnavailable?: string;
    smaps: { end: { anonBytes: number } | null };
    sampling?: { intervalBytes: number; chosenBy: string; allocationBytesPerSecond: number | null; lowerBound: boolean; growthBytesPerSecond: number | null; reason: string };
  };
  timeToLimitSeconds: number | null;
  limit: { bytes: number; source: string; cgroupPath?: string } | null;
  culprits: Array<{ name: string | null; count: number | null; retainedSize: number | null; paths: Array<{ count: number; text: string; steps: unknown[] }>; site: { functionName: string; url: string; line: number | null; matchedBy: string } | null }>;
  sites: Array<{ functionName: string; delta: number }>;
  skipped: Array<{ step: string; reason: string }>;
  cost: { pauseMs: number; peakRssBytes: number | null; keptRssBytes: number | null };
}

const WHY_KEYS = ['pid', 'thread', 'verdict', 'evidence', 'timeToLimitSeconds', 'limit', 'culprits', 'sites', 'skipped', 'cost'];

async function why(target: Target, args: string[] = [], seconds = 6): Promise<WhyJson> {
  const { code, stdout, stderr } = await runLeaktop(['why', String(target.pid), '--duration', String(seconds), '--json', ...args], { timeoutMs: 180_000, env: runtime.env });
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout) as WhyJson;
  assert.deepEqual(Object.keys(result), WHY_KEYS, 'the issue\'s shape');
  assert.equal(result.pid, target.pid);
  assert.equal(result.thread, null);
  // Nothing left behind: the inspector leaktop opened is closed, the registry of opened inspectors empty.
  assert.ok(isAlive(target.pid), 'the target lives');
  assert.deepEqual(ports(target.pid), [], 'no inspector left open');
  assert.deepEqual(runtime.registryFiles(), []);
  return result;
}

const startWhyFixture = (name: string, args: string[] = []) => startTarget(process.execPath, [fixture(`why/${name}`), ...args]);

test('a cache that never evicts: heap; the class, its holder on the top path and the allocating function; the V8 heap limit', async () => {
  const target = await startWhyFixture('cache-server.cjs');
  try {
    const result = await why(target);
    assert.equal(result.verdict, 'heap', result.evidence.reason);
    assert.ok(result.evidence.rates.heapFloor! > 0);
    assert.ok(result.evidence.fullGcs >= 2, 'full GCs at the start and the end at least');
    // Node 20 has v8.GCProfiler and the default heap limit: V8 started both itself, none was forced.
    assert.equal(result.evidence.forcedGcs, 0, result.evidence.unforcedUnavailable);
    assert.deepEqual(result.skipped, []);
    const top = result.culprits[0]!;
    assert.equal(top.name, 'CachedResponse');
    assert.ok(top.count! > 100 && top.retainedSize! > 0);
    assert.match(top.paths[0]!.text, /responseCache \(ResponseCache\) → entries \(Map\)/, 'the holder on the top path');
    assert.equal(top.site?.functionName, 'rememberResponses');
    assert.equal(top.site?.url, fixture('why/cache-server.cjs'));
    assert.equal(result.sites[0]?.functionName, 'rememberResponses');
    assert.equal(result.limit?.source, 'v8-heap-limit');
    assert.ok(result.timeToLimitSeconds! > 0);
    assert.ok(result.cost.pauseMs > 0 && result.cost.peakRssBytes! > 0, JSON.stringify(result.cost));
  } finally {
    await target.kill();
  }
});

test('a busy server (~40 MB/s of garbage): a coarser sampling interval, chosen from the allocation rate the watch measured and said, and the leaking function still named', async () => {
  // 10 pages per traffic tick instead of 5: twice the garbage, the same leak (a much busier one lags on a loaded
  // machine, and its floor then rises in steps the judgement calls unsure).
  const target = await startWhyFixture('cache-server.cjs', ['10']);
  try {
    const result = await why(target, ['--no-snapshots'], 10);
    assert.equal(result.verdict, 'heap', result.evidence.reason);
    const sampling = result.evidence.sampling!;
    assert.ok(sampling, 'the interval and why are in the evidence');
    assert.ok(sampling.allocationBytesPerSecond! > 0, JSON.stringify(sampling));
    assert.ok(sampling.intervalBytes > 128 * 1024, `coarser than the default: ${JSON.stringify(sampling)}`);
    assert.ok(['budget', 'growth', 'max'].includes(sampling.chosenBy), sampling.chosenBy);
    assert.match(sampling.reason, /^every \d+(\.\d)? [KM]iB: [\d.]+ MiB\/s allocated/);
    assert.equal(result.sites[0]?.functionName, 'rememberResponses', JSON.stringify(result.sites.slice(0, 3)));
    assert.equal(result.culprits[0]?.site?.functionName, 'rememberResponses');
  } finally {
    await target.kill();
  }
});

test('in a memory cgroup too small for snapshots: the same culprit from sampling alone, the snapshots skipped with the reason', { skip: memoryCgroupUnavailable() ?? undefined }, async () => {
  const group = makeMemoryCgroup('why');
  const [command, args] = group.startInside(process.execPath, [fixture('why/cache-server.cjs')]);
  const target = await startTarget(command, args);
  try {
    // Room for the leak to go on, not for a snapshot (which needs several times the heap).
    group.setLimitBytes(group.usageBytes() + 60 * 1024 * 1024);
    const result = await why(target);
    assert.equal(result.verdict, 'heap', result.evidence.reason);
    assert.equal(result.skipped.length, 1);
    assert.equal(result.skipped[0]!.step, 'snapshots');
    assert.match(result.skipped[0]!.reason, new RegExp(`^not enough memory for a heap snapshot of process '${target.pid}'.*cgroup '${group.path}'.*allocation sites only`));
    const top = result.culprits[0]!;
    assert.equal(top.name, null, 'no class without a snapshot');
    assert.equal(top.site?.functionName, 'rememberResponses');
    assert.equal(top.site?.matchedBy, 'sampling');
  } finally {
    await target.kill();
    await group.remove();
  }
});

test('Buffers kept in a Map: off-heap; --no-snapshots skips the snapshots and says what is missing', async () => {
  const target = await startWhyFixture('buffer-store.cjs');
  try {
    const result = await why(target, ['--no-snapshots']);
    assert.equal(result.verdict, 'off-heap', result.evidence.reason);
    assert.ok(result.evidence.rates.external! > 0);
    assert.deepEqual(result.skipped.map((s) => s.step), ['snapshots']);
    assert.match(result.skipped[0]!.reason, /--no-snapshots.*allocation sites only/);
    assert.ok(result.culprits.every((c) => c.name === null));
    assert.ok(result.limit?.source === 'cgroup' || result.limit?.source === 'host');
  } finally {
    await target.kill();
  }
});

test('an addon that mallocs and never frees: native; no sampling or snapshots (they see only the JS heap); the next step names heaptrack', { skip: nativeAddonUnavailable() ?? undefined }, async () => {
  const addon = buildLeakAddon();
  made.push(dirname(addon));
  const target = await startWhyFixture('native-leak.cjs', [addon]);
  try {
    const result = await why(target);
    assert.equal(result.verdict, 'native', result.evidence.reason);
    assert.ok(result.evidence.rates.native! > 0);
    assert.deepEqual(result.skipped.map((s) => s.step), ['sample', 'snapshots']);
    assert.match(result.skipped[0]!.reason, /native/);
    assert.deepEqual(result.culprits, []);
    assert.ok(result.timeToLimitSeconds! > 0);
    const text = await runLeaktop(['why', String(target.pid), '--duration', '6'], { timeoutMs: 60_000, env: runtime.env });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^PID \d+: NATIVE/);
    assert.match(text.stdout, /heaptrack/);
  } finally {
    await target.kill();
  }
});

test('a bounded churn: none, and nothing costlier runs', async () => {
  const target = await startWhyFixture('bounded-churn.cjs');
  try {
    const result = await why(target, [], 8);
    assert.equal(result.verdict, 'none', result.evidence.reason);
    assert.deepEqual(result.skipped.map((s) => s.step), ['sample', 'snapshots']);
    assert.deepEqual(result.culprits, []);
    assert.equal(result.timeToLimitSeconds, null);
  } finally {
    await target.kill();
  }
});

test('a heap limit too small for a GC V8 starts itself (--max-old-space-size=128): the watch forces its floors, and says why', async () => {
  const target = await startTarget(process.execPath, ['--max-old-space-size=128', fixture('why/bounded-churn.cjs')]);
  try {
    const result = await why(target, [], 8);
    assert.equal(result.verdict, 'none', result.evidence.reason);
    assert.equal(result.evidence.fullGcs, 2);
    assert.equal(result.evidence.forcedGcs, 2, 'both floors forced');
    assert.match(result.evidence.unforcedUnavailable ?? '', /heap limit is too small/);
  } finally {
    await target.kill();
  }
});

test('why on a PID that is not a Node.js process: one line, exit 1, nothing attached', async () => {
  const { code, stdout, stderr } = await runLeaktop(['why', '1', '--duration', '1'], { env: runtime.env });
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.equal(stderr.trim().split('\n').length <= 2, true, stderr);
  assert.match(stderr, /^leaktop: /);
});

test('SIGINT during the watch: exit 130, the inspector leaktop opened closed, the target alive', async () => {
  const target = await startWhyFixture('cache-server.cjs');
  let targetErr = '';
  target.child.stderr!.on('data', (c: Buffer) => (targetErr += c.toString()));
  try {
    const { code, stderr } = await interruptWhy(target.pid, runtime.env, () => `target: ${targetErr}`);
    assert.equal(code, 130, stderr);
    assert.match(stderr, /stopped; nothing of leaktop's is left running/);
    assert.deepEqual(ports(target.pid), []);
    assert.deepEqual(runtime.registryFiles(), []);
    assert.ok(isAlive(target.pid));
  } finally {
    await target.kill();
  }
});
