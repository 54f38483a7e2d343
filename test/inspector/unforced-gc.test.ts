/**
 * The full GC V8 starts by itself, and the GC tally (src/inspector/unforced-gc.ts), against real processes run by
 * every installed Node major (18–26; leaktop's own is 20): the floor it reads is a real full GC's, the 80 MiB that
 * start it leave neither `external` nor RSS raised, V8 marked incrementally (what spares the process's optimized
 * code), and where V8 cannot be asked — a small heap limit, an event loop that never turns — nothing is done and
 * the reason is said, so the caller forces its GC instead. The tally's allocation count agrees with V8's own
 * sampler counting every allocation.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, test } from 'node:test';
import { allocatedBetweenFloors } from '../../src/core/alloc/gc-allocation.js';
import { SamplingProfiler } from '../../src/inspector/sampling-profiler.js';
import { InspectorSession } from '../../src/inspector/session.js';
import { GcTally, unforcedFullGc, type UnforcedFloor } from '../../src/inspector/unforced-gc.js';
import { attachWhen9229Free } from '../helpers/attach.js';
import { waitFor } from '../helpers/signal-log.js';
import { fixture, isAlive, killAllTargets, repoRoot, startTarget, type Target } from '../helpers/targets.js';

after(killAllTargets);

const MiB = 1024 * 1024;
const bounded = { timeout: 180_000 };
const binary = (major: number) => (major === 20 ? process.execPath : `${repoRoot}node_modules/node${major}/bin/node`);

async function withTarget(node: string, args: string[], body: (session: InspectorSession, target: Target) => Promise<void>): Promise<void> {
  const target = await startTarget(node, [...args, fixture('gc-churn.cjs')]);
  let session: InspectorSession | undefined;
  try {
    session = await attachWhen9229Free(target.pid);
    await body(session, target);
  } finally {
    await session?.detach().catch(() => undefined);
    await target.kill();
  }
}

for (const major of [18, 20, 22, 24, 26]) {
  const node = binary(major);
  test(`Node ${major}: V8 starts the full GC itself; its floor is a full GC's, and external and RSS are as before`, { ...bounded, skip: existsSync(node) ? undefined : `no Node ${major} binary (npm ci installs node${major})` }, async () => {
    await withTarget(node, [], async (session) => {
      const before = await session.memoryUsage();
      const result = await unforcedFullGc(session);
      assert.ok(!('unavailable' in result), 'unavailable' in result ? result.unavailable : '');
      const floor = result as UnforcedFloor;
      assert.equal(floor.incremental, true, 'V8 marked incrementally before the mark-compact');
      // A forced GC right after: what one full GC leaves. The process allocates meanwhile, and objects made while V8
      // marked survive one GC: the floors agree within that.
      const forced = await session.collectGarbageOnce();
      assert.ok(Math.abs(floor.heapUsedBytes - forced.heapUsedAfterBytes) < 2 * MiB + 0.15 * forced.heapUsedAfterBytes, `floor ${floor.heapUsedBytes}, forced ${forced.heapUsedAfterBytes}`);
      assert.ok(floor.heapUsedBytes < floor.heapTotalBytes && floor.oldSpaceUsedBytes! > 0 && floor.oldSpaceUsedBytes! < floor.heapUsedBytes);
      // The 80 MiB are gone from V8's count (its sweeper finished), and never became resident.
      assert.ok(floor.externalBytes < before.external + 8 * MiB, `external ${before.external} → ${floor.externalBytes}`);
      assert.ok(floor.arrayBuffersBytes < before.arrayBuffers + 8 * MiB, `arrayBuffers ${before.arrayBuffers} → ${floor.arrayBuffersBytes}`);
      assert.ok(floor.rssBytes < before.rss + 16 * MiB, `RSS ${before.rss} → ${floor.rssBytes}`);
      assert.ok(floor.pauseMs >= 0 && floor.elapsedMs > 0);
    });
  });
}

test('a heap limit too small for it (--max-old-space-size=128): refused, with the reason, and nothing allocated', bounded, async () => {
  await withTarget(process.execPath, ['--max-old-space-size=128'], async (session) => {
    const result = await unforcedFullGc(session);
    assert.ok('unavailable' in result, 'refused');
    assert.match(result.unavailable, /heap limit is too small/);
    assert.ok((await session.memoryUsage()).external < 8 * MiB, 'no 80 MiB allocated');
  });
});

test('an event loop that never turns: no answer in time, said as such; the process lives and a forced GC still works', bounded, async () => {
  // V8 says when and why it starts incremental marking: the 80 MiB would start it for "external memory pressure".
  const target = await startTarget(process.execPath, ['--trace-incremental-marking', fixture('busy.cjs')]);
  let trace = '';
  target.child.stdout!.on('data', (chunk: Buffer) => (trace += chunk.toString()));
  let session: InspectorSession | undefined;
  try {
    session = await attachWhen9229Free(target.pid);
    const result = await unforcedFullGc(session);
    assert.ok('unavailable' in result);
    assert.match(result.unavailable, /did not answer/);
    assert.ok(isAlive(target.pid));
    // Nothing was started in it (its loop never turned): no 80 MiB allocated, so no recorder runs either.
    assert.doesNotMatch(trace, /Start \(external memory pressure\)/, 'nothing allocated in a loop that does not turn');
    const forced = await session.collectGarbageOnce();
    assert.ok(forced.heapUsedAfterBytes > 0);
  } finally {
    await session?.detach().catch(() => undefined);
    await target.kill();
  }
});

test('the tally counts the bytes allocated between two floors as V8\'s sampler counts every allocation', bounded, async (t) => {
  await withTarget(process.execPath, [], async (session) => {
    const start = await unforcedFullGc(session);
    assert.ok(!('unavailable' in start));
    const tally = (await GcTally.start(session))!;
    assert.ok(tally, 'Node 20 has v8.GCProfiler');
    // The sampler keeping what the GC collects: its last sample's ordinal × interval is every byte allocated.
    const intervalBytes = 32 * 1024;
    const sampler = await SamplingProfiler.start(session, { intervalBytes, includeCollected: true });
    try {
      // A few dozen young-generation GCs: the count rests on them, not on a time.
      await waitFor(async () => (await tally.read()) && tally.gcs.length >= 30, '30 GCs in the tally', 120_000);
      const profile = (await sampler.stop())!;
      const sampled = Math.max(...profile.samples.map((s) => s.ordinal)) * intervalBytes;
      const end = await unforcedFullGc(session);
      assert.ok(!('unavailable' in end));
      assert.ok(await tally.stop());
      assert.equal(await tally.read(), false, 'stopped for good');
      const counted = allocatedBetweenFloors((start as UnforcedFloor).heapUsedBytes, tally.gcs)!;
      assert.ok(counted, 'the tally holds the closing full GC');
      t.diagnostic(`tally ${counted.bytes} bytes over ${counted.gcs} GCs, sampler ${sampled} (${(counted.bytes / sampled).toFixed(3)}×)`);
      // The sampler stopped a little before the tally's end (its stop was a forced GC, in the tally too): the tally
      // counts a little more, never much less.
      assert.ok(counted.bytes > 0.8 * sampled && counted.bytes < 1.6 * sampled, `tally ${counted.bytes}, sampler ${sampled}`);
    } finally {
      if (sampler.isRunning) await sampler.stop().catch(() => undefined);
      await tally.stop();
    }
  });
});
