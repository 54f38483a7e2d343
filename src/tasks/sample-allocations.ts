/**
 * Allocation sampling for a duration (`alloc --pid`): V8's sampling heap profiler started in the target, a wait,
 * a GC (so "alive" is exact), the profile read, the profiler stopped — on every way out, also an abort or the
 * target exiting. With `compare`, a first profile is read half-way (see alloc.ts for why not at the start).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SamplingProfile } from '../core/alloc/sampling-profile.js';
import { ConnectionClosedError } from '../inspector/errors.js';
import { SamplingProfiler } from '../inspector/sampling-profiler.js';
import type { GcResult, InspectorSession } from '../inspector/session.js';

export type SamplingProgress = { step: 'started' } | { step: 'half-way' };

export interface SampleAllocationsOptions {
  /** How long to sample, ms. */
  durationMs: number;
  /** Mean bytes allocated between samples. */
  intervalBytes: number;
  /** Also read a profile half-way, to compare the second half with. */
  compare: boolean;
  /** Force a full GC before reading each profile. */
  gc: boolean;
  signal: AbortSignal;
  onProgress?: (progress: SamplingProgress) => void;
  /** Told each forced GC's result (`leaktop why` counts their pauses as the step's cost). */
  onGc?: (result: GcResult) => void;
  /**
   * Told how long each profile read took, ms. The target is stopped for it: V8 runs a full GC before it builds the
   * profile (the inspector starts the sampler with kSamplingForceGC, so a read lists only live objects even without
   * `gc`), then serializes the tree on the process's main thread.
   */
  onProfileRead?: (durationMs: number) => void;
}

/** The profiles, and when sampling started and stopped (epoch ms). */
export interface SampledAllocations {
  before?: SamplingProfile;
  after: SamplingProfile;
  startedAtMs: number;
  stoppedAtMs: number;
}

/** The profile at the end, and with `compare` the one half-way. */
export async function sampleAllocations(session: InspectorSession, options: SampleAllocationsOptions): Promise<SampledAllocations> {
  const profiler = await SamplingProfiler.start(session, { intervalBytes: options.intervalBytes });
  try {
    options.onProgress?.({ step: 'started' });
    let before: SamplingProfile | undefined;
    if (options.compare) {
      await waitWhileAttached(session, options.durationMs / 2, options.signal);
      if (options.gc) options.onGc?.(await session.collectGarbage());
      const readStarted = performance.now();
      before = await profiler.profile();
      options.onProfileRead?.(performance.now() - readStarted);
      options.onProgress?.({ step: 'half-way' });
      await waitWhileAttached(session, options.durationMs - options.durationMs / 2, options.signal);
    } else {
      await waitWhileAttached(session, options.durationMs, options.signal);
    }
    if (options.gc) {
      // Not `onGc?.(await …)`: an optional call skips its arguments, and with them the GC.
      const gc = await session.collectGarbage();
      options.onGc?.(gc);
    }
    const stoppedAtMs = Date.now();
    const readStarted = performance.now();
    const after = await profiler.stop();
    options.onProfileRead?.(performance.now() - readStarted);
    if (!after) throw new ConnectionClosedError(1006, 'closed before the profile was read');
    const times = { startedAtMs: profiler.startedAtMs, stoppedAtMs };
    return before ? { before, after, ...times } : { after, ...times };
  } finally {
    await profiler.stop().catch(() => undefined);
  }
}

/** Sleeps `ms`, failing at once with the connection's close when the session ends meanwhile (the target exited). */
export async function waitWhileAttached(session: InspectorSession, ms: number, signal: AbortSignal): Promise<void> {
  const lost = session.connection.closed.then((closed) => Promise.reject(closed));
  lost.catch(() => undefined);
  // The timer is cancelled however the wait ends: a pending one would keep leaktop alive for the whole duration.
  const timer = new AbortController();
  const cancel = () => timer.abort(signal.reason);
  signal.addEventListener('abort', cancel, { once: true });
  const slept = sleep(ms, undefined, { signal: timer.signal });
  slept.catch(() => undefined);
  try {
    await Promise.race([slept, lost]);
  } finally {
    signal.removeEventListener('abort', cancel);
    timer.abort();
  }
}
