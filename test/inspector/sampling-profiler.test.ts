/**
 * The sampling profiler adapter against a real process (test/fixtures/targets/alloc-sites.cjs), whose own
 * in-process inspector session says whether V8's sampler runs (askSampling).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { allocationSites } from '../../src/core/alloc/allocation-sites.js';
import { isSamplingProfile, type SamplingProfile } from '../../src/core/alloc/sampling-profile.js';
import { isSampling, SamplingProfiler } from '../../src/inspector/sampling-profiler.js';
import { InspectorSession } from '../../src/inspector/session.js';
import { attachWhen9229Free } from '../helpers/attach.js';
import { askSampling, functionLine } from '../helpers/sampling-probe.js';
import { waitFor } from '../helpers/signal-log.js';
import { killAllTargets, startNodeTarget } from '../helpers/targets.js';

after(killAllTargets);

/**
 * How long a profile may take to gather enough samples: the fixture allocates at its own pace, which a busy
 * machine slows down, so the tests wait for samples, not for a time.
 */
const PATIENCE_MS = 120_000;
const bounded = { timeout: 300_000 };

/** The bytes sampled at a function of alloc-sites.cjs in a profile (0 when it has no sample there yet). */
const bytesAt = (sites: ReturnType<typeof allocationSites>, functionName: string) => sites.sites.find((s) => s.functionName === functionName)?.bytes ?? 0;

describe('SamplingProfiler on a real process', () => {
  it('profiles live memory by default; with includeCollected the garbage shows, so the fixture really makes it', bounded, async () => {
    const target = await startNodeTarget('alloc-sites.cjs');
    const session = await attachWhen9229Free(target.pid);
    try {
      const live = await SamplingProfiler.start(session);
      assert.equal(live.intervalBytes, 131072);
      assert.equal(await askSampling(target), 'active');
      // Read after a GC until the leak leads with a good twenty samples and the garbage is not live. A reading can
      // land while makeGarbage runs (the inspector's messages interrupt running JavaScript, and a busy machine keeps
      // the fixture's late timers running back to back): its list of up to 1200 objects is live then. That garbage
      // is a fixed amount and the leak only grows, so a reading comes clean.
      let midway: SamplingProfile | undefined;
      await waitFor(
        async () => {
          await session.collectGarbage();
          midway = await live.profile();
          const sites = allocationSites(midway);
          return sites.sites[0]?.functionName === 'leakSessions' && bytesAt(sites, 'leakSessions') >= 20 * live.intervalBytes && !sites.sites.some((s) => s.functionName === 'makeGarbage' && s.share > 0.05);
        },
        'a live profile led by the leak, without the garbage',
        PATIENCE_MS,
      );
      assert.ok(isSamplingProfile(midway));
      assert.ok(live.isRunning, 'profile() does not stop it');
      const liveSites = allocationSites((await live.stop())!);
      assert.equal(liveSites.sites[0]?.functionName, 'leakSessions');
      assert.equal(liveSites.sites[0]?.line, functionLine('alloc-sites.cjs', 'leakSessions'));

      const all = await SamplingProfiler.start(session, { includeCollected: true, intervalBytes: 16384 });
      // Until about as much garbage as 1.5 s of the fixture makes on a quiet machine: enough that one rehash of the
      // leak's Map (one big sample) cannot tip the comparison.
      await waitFor(async () => bytesAt(allocationSites(await all.profile()), 'makeGarbage') >= 20e6, 'the garbage of 20 MB of allocations', PATIENCE_MS);
      const allSites = allocationSites((await all.stop())!);
      const garbage = allSites.sites.find((s) => s.functionName === 'makeGarbage');
      const leak = allSites.sites.find((s) => s.functionName === 'leakSessions');
      assert.ok(garbage && leak && garbage.bytes > 3 * leak.bytes, `makeGarbage allocates far more than leakSessions: ${garbage?.bytes} vs ${leak?.bytes}`);
    } finally {
      await session.detach();
    }
  });

  it('stop() ends sampling in the target while still attached; a second stop is a no-op', bounded, async () => {
    const target = await startNodeTarget('alloc-sites.cjs');
    const session = await attachWhen9229Free(target.pid);
    try {
      const profiler = await SamplingProfiler.start(session, { intervalBytes: 4096 });
      assert.equal(await askSampling(target), 'active');
      assert.ok(await isSampling(session));
      const last = await profiler.stop();
      assert.ok(last && isSamplingProfile(last));
      assert.equal(await askSampling(target), 'inactive', 'stopped by our stop, with the session still open');
      assert.ok(!(await isSampling(session)));
      assert.ok(!session.connection.isClosed);
      assert.equal(await profiler.stop(), null);
      assert.equal(profiler.isRunning, false);
    } finally {
      await session.detach();
    }
  });

  it('detach stops a running sampler before it closes the connection', bounded, async () => {
    const target = await startNodeTarget('alloc-sites.cjs');
    const session = await attachWhen9229Free(target.pid);
    const profiler = await SamplingProfiler.start(session);
    const sent: string[] = [];
    const closedAt = session.connection.closed.then(() => sent.push('(closed)'));
    // The stop must be on the wire while the connection is open: watch the requests the session sends.
    const send = session.connection.send.bind(session.connection);
    session.connection.send = ((method: string, ...rest: unknown[]) => {
      sent.push(method);
      return (send as (m: string, ...r: unknown[]) => Promise<unknown>)(method, ...rest);
    }) as typeof session.connection.send;
    await session.detach();
    await closedAt;
    assert.equal(profiler.isRunning, false);
    assert.ok(sent.indexOf('HeapProfiler.stopSampling') >= 0 && sent.indexOf('HeapProfiler.stopSampling') < sent.indexOf('(closed)'), sent.join(', '));
    assert.equal(await askSampling(target), 'inactive');
  });

  it('refuses to start when a sampler already runs in the process', bounded, async () => {
    const target = await startNodeTarget('alloc-sites.cjs');
    const first = await attachWhen9229Free(target.pid);
    const second = await InspectorSession.attach(target.pid);
    try {
      await SamplingProfiler.start(first);
      await assert.rejects(SamplingProfiler.start(second), /already sampling allocations/);
      await second.detach();
      assert.equal(await askSampling(target), 'active', "the refusal left the first one's sampler alone");
    } finally {
      await second.detach();
      await first.detach();
    }
    assert.equal(await askSampling(target), 'inactive');
  });
});
