/**
 * `leaktop why PID` and the TUI's `w`: from "its memory grows" to the holder and the allocating function, at the
 * lowest cost that answers it (issue 16). One workflow, four steps, each cheaper than the next and run only when
 * the one before says it can answer something:
 *
 * 1. watch (free): /proc and the inspector's cheap reads over the window, full GCs at its start and end so that
 *    garbage is not growth (started by V8 itself where it can be asked to, so that none is forced); the verdict from the growth judgement (core/growth/judge-growth.ts) and the time to the limit;
 * 2. sample (cheap; heap and off-heap verdicts): V8's allocation sampler, the sites whose live memory grew from the
 *    first half of a window to the second (tasks/sample-allocations.ts, as `alloc --compare`);
 * 3. snapshots (costly; only with room, never forced): the three-snapshot leak check (tasks/leak-check.ts, every
 *    capture through the room check); its constructors matched to the sites of step 2;
 * 4. the report: verdict, culprits, what each step cost the process, the next step.
 *
 * Progress goes out as events (the state of every step: countdown, cost so far); the AbortSignal stops it at once,
 * the sampler stopped and the inspector the workflow opened closed — on every way out.
 *
 * Worker threads (issue 16): with `threadId` (`--thread`) every step runs on that worker's isolate. Otherwise, on
 * a session this run opens, the watch also reads each worker's heap (its own full GC with the main thread's, so
 * its readings after them are floors too) and judges their sum as the workers' heap: a worker's leak is `heap`, not
 * `native`. When the isolate whose floor grows most is a worker (core/why/growing-isolate.ts), the sample and
 * snapshot steps run on that worker and `thread` names it. The TUI's session keeps its own worker list: there the
 * main isolate alone is watched.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnalysisWorker } from '../analysis/index.js';
import { AnalysisWorker as Analysis } from '../analysis/index.js';
import { allocationSites, compareSites, type SiteGrowth } from '../core/alloc/allocation-sites.js';
import { allocationRateFromGcs } from '../core/alloc/gc-allocation.js';
import { allocationRateOf, RATE_PROBE_INTERVAL_BYTES, samplingChoice, type AllocationRate } from '../core/alloc/sampling-interval.js';
import type { SamplingProfile } from '../core/alloc/sampling-profile.js';
import { UserError } from '../core/user-error.js';
import { judgeGrowth, timeToLimitSeconds, type ActionMark, type GrowthJudgement, type MemoryReading } from '../core/growth/judge-growth.js';
import type { SourceLocation } from '../core/snapshot/heap-snapshot.js';
import type { LeakCandidate } from '../core/snapshot/leak-candidates.js';
import { growingIsolate, type IsolateFloors } from '../core/why/growing-isolate.js';
import { growingOwnSites, matchCulpritSites } from '../core/why/match-sites.js';
import { fragmentationLikely, WHY_STEPS, type Culprit, type MemoryLimit, type StepCost, type WhyEvidence, type WhyProgress, type WhyResult, type WhyStepName, type WhyStepState } from '../core/why/why-report.js';

import type { GlibcArenas, SmapsRollup } from '../core/why/memory-maps.js';
import { makeWorkDir, removeStaleWorkDirs, removeWorkDir } from '../files/work-dir.js';
import { SnapshotRoomRefused } from '../inspector/check-snapshot-room.js';
import { readHeapSizeLimit } from '../inspector/heap-limit.js';
import { SamplingProfiler } from '../inspector/sampling-profiler.js';
import { GcTally, unforcedFullGc, type UnforcedFloor } from '../inspector/unforced-gc.js';
import type { HeapSpace, InspectorSession } from '../inspector/session.js';
import { withTimeout } from '../inspector/with-timeout.js';
import { attachThread, NodeWorkers, type WorkerSession } from '../inspector/worker-sessions.js';
import { isUnavailable } from '../proc/read-file.js';
import { readMemoryCgroup } from '../proc/read-memory-cgroup.js';
import { readGlibcArenas, readSmapsRollup } from '../proc/read-memory-maps.js';
import { readMeminfo } from '../proc/read-meminfo.js';
import { readStatus } from '../proc/read-status.js';
import { leakCheck } from './leak-check.js';
import { sampleAllocations, waitWhileAttached } from './sample-allocations.js';

export { WHY_STEPS, type Culprit, type WhyProgress, type WhyResult, type WhyStepName, type WhyStepState };

export interface WhyOptions {
  pid: number;
  /** The start time the process was listed with (guards against a reused PID). */
  startTimeTicks?: number;
  /** The watch window; also the sampling window, and the span of the three snapshots. ms. */
  durationMs: number;
  /** False: step 3 is skipped (`--no-snapshots`). */
  snapshots: boolean;
  signal: AbortSignal;
  onProgress?: (progress: WhyProgress) => void;
  /** A session to use (the TUI's, when attached): left open at the end. Otherwise one is attached and detached here. */
  session?: InspectorSession;
  /** `--thread`: the isolate to work on (`worker_threads.threadId`, 0 the main thread); absent: every isolate watched. */
  threadId?: number;
  /** How to attach when no session is given. */
  attach?: (pid: number, options: { startTimeTicks?: number }) => Promise<InspectorSession>;
  /** An analysis worker to use (the TUI's); otherwise one is started for step 3 and ended. */
  analysis?: AnalysisWorker;
  /**
   * Mean bytes between allocation samples. Absent: chosen from the allocation rate the watch measured (a budget of
   * samples per second, core/alloc/sampling-interval.ts), 128 KiB at least; the result says which and why.
   */
  samplingIntervalBytes?: number;
  /**
   * Full GCs of the watch (its floors), start and end included: 2 or more, WATCH_GCS (2: the start and the end) by
   * default; more are spread evenly between. Each forced one costs a busy server more than its pause
   * (docs/performance.md, issue 16): the bench compares counts.
   */
  watchGcs?: number;
  /** True: every floor's GC forced, as before V8 was asked to start them (the bench's baseline). */
  forceGcs?: boolean;
}

/**
 * Full GCs of the watch: at its start and at its end — two true floors, whose difference is the heap's growth over
 * the window. Each forced full GC leaves a busy Node 20 server 10–20 % slower per request for a minute or more (V8
 * throws away optimized code that embeds request-lived objects), and they were most of steps 1–2's cost (issue 16,
 * `bench/why.js --twin --pin`: +10.8 % with 5, +5.3 % with 2): so the watch asks V8 to start them itself
 * (inspector/unforced-gc.ts), forcing one only where V8 cannot be asked (Node < 18.15, a heap limit too small, an
 * event loop that does not answer). Two floors have no shape: the judgement takes it from the full GCs the process
 * runs by itself between them (the old space read at every tick: a cache that filled, then stopped, is bounded;
 * core/growth/judge-growth.ts flattenedBetweenForced). With 2 the why test's bounded churn once read as native
 * growth: the watch did not hand the judgement heapTotal, so a young heap committing its pages read as RSS beyond the
 * heap; it does now. More (`watchGcs`) are spread evenly between, only when the first paused the process at most
 * CHEAP_GC_MS: a full GC of a large heap stops the process for a noticeable time (~0.3 s at 300 MB).
 */
const WATCH_GCS = 2;
const CHEAP_GC_MS = 50;
/** The least rise of an isolate's heap floor over the watch that names it (the judgement's own for a heap floor). */
const ISOLATE_MIN_RISE_BYTES = 2 * 1024 * 1024;
/** How long one worker may take to answer a heap reading or a GC, ms (a worker busy in native code answers late). */
const WORKER_READ_TIMEOUT_MS = 2000;
const WORKER_GC_TIMEOUT_MS = 10_000;
/** A reading every this share of the window, within [MIN_TICK_MS, MAX_TICK_MS]. */
const TICKS_PER_WINDOW = 40;
const MIN_TICK_MS = 250;
const MAX_TICK_MS = 2000;
/** How often RSS is polled during steps 2 and 3 (its peak), ms: a read of /proc/PID/status. */
const RSS_POLL_MS = 250;
/** Candidates of the leak check kept as culprits. */
const MAX_CULPRITS = 5;
/** Growing sites kept in the result. */
const MAX_SITES = 10;

/** A leak check's candidate with where its constructor is defined. */
type LocatedCandidate = LeakCandidate & { location: SourceLocation | null };

const noCost = (): StepCost => ({ pauseMs: 0, peakRssBytes: null, keptRssBytes: null });

/** Runs the four steps; throws only when the process cannot be watched at all (attach, exit) or when stopped. */
export async function why(options: WhyOptions): Promise<WhyResult> {
  const { pid, signal } = options;
  const steps: WhyStepState[] = WHY_STEPS.map((name) => ({ name, state: 'waiting', detail: '', secondsLeft: null, cost: noCost() }));
  const step = (name: WhyStepName) => steps.find((s) => s.name === name)!;
  const emit = () => options.onProgress?.({ pid, steps: steps.map((s) => ({ ...s, cost: { ...s.cost } })) });
  const set = (name: WhyStepName, patch: Partial<WhyStepState>) => {
    Object.assign(step(name), patch);
    emit();
  };
  const skipped: WhyResult['skipped'] = [];
  const skip = (name: WhyStepName, reason: string) => {
    skipped.push({ step: name, reason });
    set(name, { state: 'skipped', detail: reason, secondsLeft: null });
  };

  signal.throwIfAborted();
  set('watch', { state: 'running', detail: 'attaching' });
  const attach = options.attach ?? ((p, o) => attachThread(p, options.threadId, o));
  const openedHere = options.session === undefined;
  let session: InspectorSession | undefined = options.session;
  /** The workers of a main-thread session opened here, watched with it; closed before the session, on every path. */
  let workers: NodeWorkers | null = null;
  let detaching: Promise<void> | undefined;
  const detach = () =>
    (detaching ??= (async () => {
      try {
        await workers?.close();
      } finally {
        if (openedHere && session) await session.detach();
      }
    })());
  const rss = new RssWatch(pid);
  let current: WhyStepName = 'watch';
  try {
    session ??= await attach(pid, { startTimeTicks: options.startTimeTicks });
    // `--thread 0` asks for the main thread: its workers are neither watched nor looked at then.
    if (openedHere && session.threadId === 0 && options.threadId === undefined) workers = await workersOf(session);
    // Step 1: watch.
    const watch = await watchMemory(session, workers, options.durationMs, options.samplingIntervalBytes === undefined, Math.max(2, options.watchGcs ?? WATCH_GCS), options.forceGcs !== true, signal, (detail, secondsLeft) => set('watch', { detail, secondsLeft, cost: rss.cost(step('watch').cost.pauseMs) }), (ms) => (step('watch').cost.pauseMs += ms));
    const { judgement } = watch;
    set('watch', { state: 'done', detail: `${judgement.kind}: ${judgement.reason}`, secondsLeft: null, cost: rss.cost(step('watch').cost.pauseMs, judgement.rates.rss) });

    // The isolate the next steps look at: the worker whose heap floor grew most when it is a worker's growth.
    let work: InspectorSession = session;
    let limitWatch = watch;
    if (workers) {
      const grown = judgement.kind === 'heap' ? growingIsolate(watch.isolates, ISOLATE_MIN_RISE_BYTES) : null;
      const chosen = grown ? workers.threads.find((t) => t.threadId === grown) : undefined;
      if (chosen) {
        work = workers.open(chosen);
        const floors = watch.isolates.find((i) => i.threadId === chosen.threadId)!.floors;
        limitWatch = { ...watch, heapLimitBytes: await readHeapSizeLimit(work), lastHeapFloorBytes: floors[floors.length - 1]?.v ?? null };
      } else {
        // The main thread's (or no one isolate's) growth: the workers are left as they were before the next steps.
        const done = workers;
        workers = null;
        await done.close();
      }
    }
    const thread = work.threadId === 0 ? null : work.threadId;
    const heapRate = thread !== null && session.threadId === 0 ? judgement.rates.workersHeapFloor : judgement.rates.heapFloor;
    const limitInfo = limitFor(pid, judgement, limitWatch, heapRate);

    // Step 2: sample, every so many bytes that a busy process pays for ~100 samples a second, not thousands.
    current = 'sample';
    const sampling = samplingChoice({
      ...(options.samplingIntervalBytes !== undefined ? { explicit: options.samplingIntervalBytes } : {}),
      // The probe ran on the session's isolate: a worker chosen since allocates at a rate of its own.
      rate: work === session ? watch.allocationRate : null,
      growthBytesPerSecond: heapRate,
      windowMs: options.durationMs,
      unmeasured: work === session ? (watch.probeUnavailable ?? undefined) : `measured on the main thread, the sampler runs on worker ${work.threadId}`,
    });
    const intervalBytes = sampling.intervalBytes;
    let profiles: { before: SamplingProfile; after: SamplingProfile } | null = null;
    let sites: SiteGrowth[] = [];
    const askable = judgement.kind === 'heap' || judgement.kind === 'off-heap';
    if (askable) watch.evidence.sampling = sampling;
    if (!askable) {
      skip('sample', notAskable(judgement));
    } else {
      rss.restart();
      const countdown = new Countdown(options.durationMs, (secondsLeft) => set('sample', { secondsLeft, cost: rss.cost(step('sample').cost.pauseMs) }));
      set('sample', { state: 'running', detail: `sampling allocations ${sampling.reason}; first half` });
      try {
        const { before, after } = await sampleAllocations(work, {
          durationMs: options.durationMs,
          intervalBytes,
          compare: true,
          // No GC of ours before each read: V8 runs a full GC before it builds a profile (see onProfileRead), so
          // the profile is of live objects already; a forced GC first would double it, and the
          // HeapProfiler.collectGarbage that collectGarbage sends costs the process far more than one GC.
          gc: false,
          signal,
          onProfileRead: (ms) => (step('sample').cost.pauseMs += ms),
          onProgress: (p) => p.step === 'half-way' && set('sample', { detail: 'first profile read; second half' }),
        });
        profiles = { before: before!, after };
      } finally {
        countdown.stop();
      }
      const comparison = compareSites(allocationSites(profiles.before), allocationSites(profiles.after));
      sites = comparison.sites.filter((s) => s.delta > 0).slice(0, MAX_SITES);
      const top = growingOwnSites(profiles.before, profiles.after, { limit: 1 })[0];
      set('sample', { state: 'done', secondsLeft: null, detail: top ? `grew most: ${top.functionName || '(anonymous)'} ${shortUrl(top.url)}:${top.line ?? '?'}` : 'no site grew', cost: rss.cost(step('sample').cost.pauseMs, judgement.rates.rss) });
    }

    // Step 3: snapshots.
    current = 'snapshots';
    const snapshotIntervalMs = Math.max(1000, Math.round(options.durationMs / 2));
    let candidates: Array<LocatedCandidate> | null = null;
    if (!askable) skip('snapshots', notAskable(judgement));
    else if (!options.snapshots) skip('snapshots', 'not asked for (--no-snapshots): no class names, counts or holders; the culprits are allocation sites only');
    else {
      rss.restart();
      const snapshots = await snapshotStep(work, options, snapshotIntervalMs, detach, {
        progress: (detail, secondsLeft) => set('snapshots', { state: 'running', detail, secondsLeft, cost: rss.cost(step('snapshots').cost.pauseMs) }),
        pause: (ms) => (step('snapshots').cost.pauseMs += ms),
      });
      if ('refused' in snapshots) skip('snapshots', `${snapshots.refused}; the culprits are allocation sites only (no class names, counts or holders)`);
      else {
        candidates = snapshots.candidates;
        set('snapshots', { state: 'done', secondsLeft: null, detail: candidates.length === 0 ? 'no leak candidates' : `${candidates.length} candidates, biggest: ${candidates[0]!.name}`, cost: await rss.keptCost(step('snapshots').cost.pauseMs, judgement.rates.rss) });
      }
    }
    await detach();

    // Step 4: the report.
    current = 'report';
    set('report', { state: 'running', detail: 'matching culprits to sites' });
    const culprits = culpritsOf(candidates, profiles);
    set('report', { state: 'done', detail: culprits.length === 0 ? 'no culprit named' : `culprit: ${culprits[0]!.name ?? culprits[0]!.site?.functionName ?? '?'}` });
    const stepCosts = { watch: step('watch').cost, sample: step('sample').cost, snapshots: step('snapshots').cost };
    return {
      pid,
      thread,
      verdict: judgement.kind,
      judgement,
      evidence: watch.evidence,
      ...limitInfo,
      culprits,
      sites,
      samplingIntervalBytes: intervalBytes,
      skipped,
      cost: totalCost(Object.values(stepCosts)),
      stepCosts,
      durationMs: options.durationMs,
      snapshotIntervalMs,
    };
  } catch (error) {
    const state = signal.aborted ? 'stopped' : 'failed';
    set(current, { state, secondsLeft: null, detail: state === 'stopped' ? 'stopped' : error instanceof Error ? error.message : String(error) });
    for (const later of WHY_STEPS.slice(WHY_STEPS.indexOf(current) + 1)) set(later, { state: 'skipped', detail: state });
    throw error;
  } finally {
    rss.stop();
    // Closes what it opened on every way out; a failure to close is the caller's to report (it says where).
    await detach();
  }
}

/** Why steps 2 and 3 do not run for a verdict. */
function notAskable(judgement: GrowthJudgement): string {
  switch (judgement.kind) {
    case 'native':
      return 'the growth is native (outside the JS heap and Buffers): the sampler and snapshots see only V8\'s heap';
    case 'none':
      return 'no growth to explain';
    default:
      return `unsure: ${judgement.moreMs ? `watch ${Math.ceil(judgement.moreMs / 1000)} s longer (--duration)` : 'watch longer (--duration)'} before costlier steps`;
  }
}

/** The culprits: the leak check's constructors with their sites, or — without snapshots — the growing sites alone. */
function culpritsOf(candidates: Array<LocatedCandidate> | null, profiles: { before: SamplingProfile; after: SamplingProfile } | null): Culprit[] {
  if (candidates) {
    const kept = candidates.slice(0, MAX_CULPRITS);
    const sites = profiles ? matchCulpritSites(kept, profiles.before, profiles.after) : kept.map(() => null);
    return kept.map((c, i) => ({ name: c.name, count: c.count, retainedSize: c.retainedSize, paths: c.paths, site: sites[i] ?? null }));
  }
  if (!profiles) return [];
  return growingOwnSites(profiles.before, profiles.after).map((site) => ({ name: null, count: null, retainedSize: null, paths: [], site }));
}

/** What the watch read, and judged. */
interface WatchResult {
  judgement: GrowthJudgement;
  /** Each isolate's heap floors (the main thread's, 0, and each worker's), when the workers were watched. */
  isolates: IsolateFloors[];
  evidence: WhyEvidence;
  heapLimitBytes: number | null;
  lastHeapFloorBytes: number | null;
  lastRssBytes: number | null;
  /** The allocation rate the probe saw over the watch; null when it did not run. */
  allocationRate: AllocationRate | null;
  /** Why the probe did not run, when it was asked for. */
  probeUnavailable: string | null;
}

/** One tick's reading with what the judgement does not take. */
interface Tick {
  reading: MemoryReading;
  /** Each watched worker's heapUsed, null when it did not answer. */
  workerHeaps: Array<{ threadId: number; usedBytes: number | null }>;
  spaces: HeapSpace[] | null;
  smaps: SmapsRollup | null;
}

/**
 * Step 1: readings every tick over the window (RSS and smaps_rollup from /proc; `process.memoryUsage()` and the
 * heap spaces through the inspector, ~0.2 ms each), full GCs at the start and the end (their readings are true
 * floors), glibc's arenas at both ends. Judged by judgeGrowth with leaktop's attach marked, on heapTotal too (native
 * is RSS beyond the committed heap) and the old space (its falls are the process's own full GCs).
 */
async function watchMemory(session: InspectorSession, workers: NodeWorkers | null, durationMs: number, probeRate: boolean, floorCount: number, unforced: boolean, signal: AbortSignal, progress: (detail: string, secondsLeft: number | null) => void, pause: (ms: number) => void): Promise<WatchResult> {
  const { pid } = session;
  const attachedAtMs = Date.now();
  const heapLimitBytes = await readHeapSizeLimit(session);
  const arenasBefore = readGlibcArenas(pid);
  const ticks: Tick[] = [];
  const workerSessions: WorkerSession[] = workers ? workers.threads.map((t) => workers.open(t)) : [];
  const read = async (afterGc: boolean): Promise<void> => {
    const [memory, spaces, workerHeaps] = await Promise.all([
      session.memoryUsage(),
      withTimeout(session.heapSpaces(), 2000).catch(() => undefined),
      Promise.all(workerSessions.map(async (w) => ({ threadId: w.threadId, usedBytes: (await withTimeout(w.heapUsage(), WORKER_READ_TIMEOUT_MS).catch(() => undefined))?.usedBytes ?? null }))),
    ]);
    const status = readStatus(pid);
    const rssBytes = isUnavailable(status) || status.rssBytes === null ? memory.rss : status.rssBytes;
    // Their sum only when every worker answered: one missing would read as a fall, then as growth.
    const oldSpace = spaces?.find((s) => s.name === 'old_space')?.usedBytes;
    const workersHeap = workerHeaps.length > 0 && workerHeaps.every((w) => w.usedBytes !== null) ? workerHeaps.reduce((sum, w) => sum + w.usedBytes!, 0) : undefined;
    ticks.push({
      reading: {
        atMs: Date.now(),
        rssBytes,
        heapUsedBytes: memory.heapUsed,
        heapTotalBytes: memory.heapTotal,
        externalBytes: memory.external,
        arrayBuffersBytes: memory.arrayBuffers,
        ...(workersHeap !== undefined ? { workersHeapUsedBytes: workersHeap } : {}),
        ...(oldSpace !== undefined ? { oldSpaceUsedBytes: oldSpace } : {}),
        ...(afterGc ? { afterGc: true } : {}),
      },
      workerHeaps,
      spaces: spaces ?? null,
      smaps: readSmapsRollup(pid),
    });
  };
  // Each floor: a full GC in every isolate, then the reading. The GC is one V8 starts itself where it can
  // (inspector/unforced-gc.ts: no code thrown away, so the busy server does not pay for minutes after), forced where
  // not; its figures are the heap right after it, not a read some ms later.
  let forcedGcs = 0;
  let unforcedUnavailable: string | null = null;
  const fullGc = async (isolate: InspectorSession): Promise<{ pauseMs: number; floor: UnforcedFloor | null }> => {
    if (unforced) {
      const result = await unforcedFullGc(isolate);
      if (!('unavailable' in result)) return { pauseMs: result.pauseMs, floor: result };
      if (isolate === session) unforcedUnavailable ??= result.unavailable;
    }
    const { durationMs } = await isolate.collectGarbageOnce();
    if (isolate === session) forcedGcs++;
    return { pauseMs: durationMs, floor: null };
  };
  const floorAndRead = async (mainGc: () => Promise<{ pauseMs: number; floor: UnforcedFloor | null }> = () => fullGc(session)): Promise<{ pauseMs: number; heapUsedBytes: number }> => {
    // Each worker's own GC with the main thread's: the reading after them is a floor of every isolate.
    const [main, ...workerGcs] = await Promise.all([mainGc(), ...workerSessions.map((w) => withTimeout(fullGc(w), WORKER_GC_TIMEOUT_MS).catch(() => undefined))]);
    pause(main.pauseMs + workerGcs.reduce((sum, gc) => sum + (gc?.pauseMs ?? 0), 0));
    await read(true);
    const tick = ticks[ticks.length - 1]!;
    if (main.floor) {
      // External and ArrayBuffers too: the floor's are settled (V8's count of external memory can lag the freed
      // allocation that started the GC), a read just after it may not be.
      const { heapUsedBytes, heapTotalBytes, oldSpaceUsedBytes, externalBytes, arrayBuffersBytes } = main.floor;
      Object.assign(tick.reading, { heapUsedBytes, heapTotalBytes, externalBytes, arrayBuffersBytes, ...(oldSpaceUsedBytes !== null ? { oldSpaceUsedBytes } : {}) });
    }
    workerGcs.forEach((gc, i) => {
      const worker = tick.workerHeaps[i];
      if (gc?.floor && worker) worker.usedBytes = gc.floor.heapUsedBytes;
    });
    if (tick.reading.workersHeapUsedBytes !== undefined) tick.reading.workersHeapUsedBytes = tick.workerHeaps.reduce((sum, w) => sum + w.usedBytes!, 0);
    return { pauseMs: main.pauseMs, heapUsedBytes: tick.reading.heapUsedBytes ?? 0 };
  };
  const tickMs = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, durationMs / TICKS_PER_WINDOW));
  progress('full GC, first reading', Math.ceil(durationMs / 1000));
  const first = await floorAndRead();
  const firstAtMs = performance.now();
  // The allocation rate, for step 2's interval. Where the target has v8.GCProfiler: the heap before and after every
  // GC over the window (core/alloc/gc-allocation.ts), read each tick. Otherwise the sampler at a coarse interval
  // keeping what the GC collects, so that its sample count is every allocation's (core/alloc/sampling-interval.ts);
  // its stop runs V8's plain full GC (kSamplingForceGC) before it returns the profile: that GC is the watch's last
  // floor then, not one more.
  const tally = probeRate && unforced ? await GcTally.start(session) : null;
  const rateProbe = probeRate && !tally ? await startRateProbe(session) : null;
  const probe = rateProbe && 'profiler' in rateProbe ? rateProbe.profiler : null;
  const probeStartedMs = performance.now();
  let allocationRate: AllocationRate | null = null;
  let tallyLost = false;
  try {
    const startMs = Date.now();
    const endMs = startMs + durationMs;
    const between = first.pauseMs <= CHEAP_GC_MS ? floorCount - 2 : 0;
    const gcAt = Array.from({ length: between }, (_, i) => startMs + ((i + 1) * durationMs) / (between + 1));
    while (Date.now() < endMs) {
      await waitWhileAttached(session, Math.max(0, Math.min(tickMs, endMs - Date.now())), signal);
      signal.throwIfAborted();
      if (Date.now() >= endMs) break;
      if (gcAt.length > 0 && Date.now() >= gcAt[0]!) {
        gcAt.shift();
        await floorAndRead();
      } else await read(false);
      // Its records emptied each tick: the target keeps a tick's GCs, not the window's.
      if (tally && !tallyLost && !(await tally.read().catch(() => false))) tallyLost = true;
      const last = ticks[ticks.length - 1]!.reading;
      progress(`RSS ${mib(last.rssBytes)}, heap ${mib(last.heapUsedBytes)}, external ${mib(last.externalBytes)}`, Math.max(0, Math.ceil((endMs - Date.now()) / 1000)));
    }
    await floorAndRead(
      probe
        ? async () => {
            const stopAt = performance.now();
            const profile = await probe.stop();
            forcedGcs++;
            if (profile) allocationRate = allocationRateOf(profile, probe.intervalBytes, stopAt - probeStartedMs);
            return { pauseMs: performance.now() - stopAt, floor: null };
          }
        : undefined,
    );
    const closedAtMs = performance.now();
    if (tally && (await tally.stop()) && !tallyLost) allocationRate = allocationRateFromGcs(first.heapUsedBytes, tally.gcs, closedAtMs - firstAtMs);
  } finally {
    // Stopped on every way out (an abort, a lost session): a TUI session stays open after why.
    if (probe?.isRunning) await probe.stop().catch(() => undefined);
    await tally?.stop().catch(() => undefined);
  }
  const arenasAfter = readGlibcArenas(pid);
  const readings = ticks.map((t) => t.reading);
  const marks: ActionMark[] = [{ atMs: attachedAtMs, action: 'attach' }];
  const judgement = judgeGrowth(readings, marks, { minWindowMs: Math.round(durationMs * 0.75), maxWindowMs: durationMs * 2, markSettleMs: Math.min(10_000, Math.round(durationMs / 8)) });
  const evidence = evidenceOf(ticks, judgement, arenasBefore, arenasAfter, { forcedGcs, unforcedUnavailable });
  const floors = readings.filter((r) => r.afterGc);
  return {
    judgement,
    evidence,
    isolates: isolateFloors(ticks, workerSessions),
    heapLimitBytes,
    lastHeapFloorBytes: floors[floors.length - 1]?.heapUsedBytes ?? null,
    lastRssBytes: readings[readings.length - 1]?.rssBytes ?? null,
    allocationRate,
    probeUnavailable: rateProbe && 'unavailable' in rateProbe ? rateProbe.unavailable : tallyLost ? 'the GC tally in the process stopped early' : null,
  };
}

/** The watch's allocation-rate probe, or why it cannot run (another tool's sampler: V8 has one per isolate). */
async function startRateProbe(session: InspectorSession): Promise<{ profiler: SamplingProfiler } | { unavailable: string }> {
  try {
    return { profiler: await SamplingProfiler.start(session, { intervalBytes: RATE_PROBE_INTERVAL_BYTES, includeCollected: true }) };
  } catch (error) {
    if (error instanceof UserError) return { unavailable: 'another tool samples allocations in it' };
    throw error;
  }
}

/** Each isolate's floors (the readings after the full GCs), the main thread first; none without watched workers. */
function isolateFloors(ticks: readonly Tick[], workerSessions: readonly WorkerSession[]): IsolateFloors[] {
  if (workerSessions.length === 0) return [];
  const floors = ticks.filter((t) => t.reading.afterGc);
  return [
    { threadId: 0, floors: floors.filter((t) => t.reading.heapUsedBytes !== undefined).map((t) => ({ t: t.reading.atMs, v: t.reading.heapUsedBytes! })) },
    ...workerSessions.map(({ threadId }) => ({
      threadId,
      floors: floors.flatMap((t) => {
        const used = t.workerHeaps.find((w) => w.threadId === threadId)?.usedBytes ?? null;
        return used === null ? [] : [{ t: t.reading.atMs, v: used }];
      }),
    })),
  ];
}

/**
 * The worker threads of a main-thread session, to watch with it; null when it has none, or when they cannot be listed
 * (the main thread busy): the main isolate is watched alone then, as before workers were.
 */
async function workersOf(session: InspectorSession): Promise<NodeWorkers | null> {
  const workers = await NodeWorkers.enable(session).catch(() => null);
  if (workers && workers.threads.length === 0) {
    await workers.close();
    return null;
  }
  return workers;
}

/** The figures behind the verdict, first against last (floors: first and last full GC). */
function evidenceOf(ticks: readonly Tick[], judgement: GrowthJudgement, arenasBefore: GlibcArenas | null, arenasAfter: GlibcArenas | null, gcs: { forcedGcs: number; unforcedUnavailable: string | null }): WhyEvidence {
  const first = ticks[0]!;
  const last = ticks[ticks.length - 1]!;
  const floors = ticks.filter((t) => t.reading.afterGc);
  const span = (a: number | undefined, b: number | undefined) => ({ startBytes: a ?? null, endBytes: b ?? null });
  const spaces = (last.spaces ?? []).map((space) => {
    const before = floors[0]?.spaces?.find((s) => s.name === space.name);
    const after = floors[floors.length - 1]?.spaces?.find((s) => s.name === space.name) ?? space;
    return { name: space.name, startBytes: before?.usedBytes ?? null, endBytes: after.usedBytes };
  });
  const smaps = (s: SmapsRollup | null) => (s ? { anonBytes: s.anonBytes, fileBytes: s.fileBytes, shmemBytes: s.shmemBytes } : null);
  const arenas = arenasAfter ? { count: arenasAfter.count, committedBytes: arenasAfter.committedBytes, grownBytes: arenasBefore ? arenasAfter.committedBytes - arenasBefore.committedBytes : null } : null;
  const windowMs = last.reading.atMs - first.reading.atMs;
  return {
    windowMs,
    readings: ticks.length,
    fullGcs: floors.length,
    forcedGcs: gcs.forcedGcs,
    ...(gcs.forcedGcs > 0 && gcs.unforcedUnavailable ? { unforcedUnavailable: gcs.unforcedUnavailable } : {}),
    reason: judgement.reason,
    ...(judgement.moreMs !== undefined ? { moreSeconds: Math.ceil(judgement.moreMs / 1000) } : {}),
    rates: judgement.rates,
    rss: span(first.reading.rssBytes, last.reading.rssBytes),
    heapFloor: span(floors[0]?.reading.heapUsedBytes, floors[floors.length - 1]?.reading.heapUsedBytes),
    external: span(floors[0]?.reading.externalBytes, floors[floors.length - 1]?.reading.externalBytes),
    arrayBuffers: span(floors[0]?.reading.arrayBuffersBytes, floors[floors.length - 1]?.reading.arrayBuffersBytes),
    heapSpaces: spaces,
    smaps: { start: smaps(first.smaps), end: smaps(last.smaps) },
    arenas,
    fragmentationLikely: fragmentationLikely(judgement, arenas, windowMs),
  };
}

/** The limit that ends the growth and the time to it, when the trend holds. */
function limitFor(pid: number, judgement: GrowthJudgement, watch: Pick<WatchResult, 'heapLimitBytes' | 'lastHeapFloorBytes'>, heapRate: number | null): { limit: MemoryLimit | null; timeToLimitSeconds: number | null } {
  if (judgement.kind === 'heap' && watch.heapLimitBytes !== null) {
    // The isolate that grows (a worker has a heap limit of its own).
    const limit: MemoryLimit = { bytes: watch.heapLimitBytes, source: 'v8-heap-limit' };
    return { limit, timeToLimitSeconds: watch.lastHeapFloorBytes === null ? null : round(timeToLimitSeconds(watch.lastHeapFloorBytes, heapRate, limit.bytes)) };
  }
  // RSS growth (and the RSS a heap leak adds) meets the memory cgroup's limit, or the host's memory.
  const rate = judgement.kind === 'none' || judgement.kind === 'unsure' ? null : judgement.rates.rss;
  const cgroup = readMemoryCgroup(pid);
  if (cgroup !== null && !isUnavailable(cgroup) && cgroup.tightest) {
    const { tightest } = cgroup;
    return { limit: { bytes: tightest.limitBytes, source: 'cgroup', cgroupPath: tightest.path }, timeToLimitSeconds: round(timeToLimitSeconds(tightest.usageBytes, rate, tightest.limitBytes)) };
  }
  const host = readMeminfo();
  if (isUnavailable(host)) return { limit: null, timeToLimitSeconds: null };
  return { limit: { bytes: host.memTotalBytes, source: 'host' }, timeToLimitSeconds: round(timeToLimitSeconds(host.memTotalBytes - host.memAvailableBytes, rate, host.memTotalBytes)) };
}

const round = (seconds: number | null) => (seconds === null ? null : Math.round(seconds));

/**
 * Step 3: the leak check, spread over the window; the room check refuses a capture that does not fit (never forced
 * here) → `refused` with its message. The session is closed right after the last capture when this run opened it.
 */
async function snapshotStep(
  session: InspectorSession,
  options: WhyOptions,
  intervalMs: number,
  afterLastCapture: () => Promise<void>,
  report: { progress: (detail: string, secondsLeft: number | null) => void; pause: (ms: number) => void },
): Promise<{ candidates: Array<LocatedCandidate> } | { refused: string }> {
  const analysis = options.analysis ?? Analysis.start();
  removeStaleWorkDirs('leaktop-why-');
  const dir = makeWorkDir('leaktop-why-');
  let captureStartedMs: number | null = null;
  try {
    const { report: found } = await leakCheck(
      {
        session,
        analysis,
        idPrefix: `why-${session.pid}-${Date.now()}-`,
        signal: options.signal,
        pathFor: (label) => `${dir}/why-${session.pid}-${label}.heapsnapshot`,
        afterLastCapture,
      },
      {
        intervalMs,
        removeEach: true,
        locations: true,
        onProgress: (p) => {
          if (p.step === 'capture') {
            captureStartedMs ??= performance.now();
            report.progress(`snapshot ${p.n}/3 (${p.stage}): ${p.capture.phase}`, null);
          } else if (p.step === 'captured') {
            if (captureStartedMs !== null) report.pause(performance.now() - captureStartedMs);
            captureStartedMs = null;
          } else if (p.step === 'wait') report.progress(`${p.next} snapshot in`, p.secondsLeft);
          else report.progress('detached; finding the leak candidates', null);
        },
      },
    );
    return { candidates: found.candidates.map((c, i) => ({ ...c, location: found.locations?.[i] ?? null })) };
  } catch (error) {
    if (error instanceof SnapshotRoomRefused) return { refused: error.message };
    throw error;
  } finally {
    removeWorkDir(dir);
    if (!options.analysis) await analysis.terminate();
  }
}

/** The whole run's cost: pauses added, the highest peak, what was kept added. */
function totalCost(costs: readonly StepCost[]): StepCost {
  const peaks = costs.map((c) => c.peakRssBytes).filter((b): b is number => b !== null);
  const kept = costs.map((c) => c.keptRssBytes).filter((b): b is number => b !== null);
  return {
    pauseMs: Math.round(costs.reduce((sum, c) => sum + c.pauseMs, 0)),
    peakRssBytes: peaks.length > 0 ? Math.max(...peaks) : null,
    keptRssBytes: kept.length > 0 ? kept.reduce((a, b) => a + b, 0) : null,
  };
}

/**
 * The RSS of the process over a step, polled from /proc/PID/status (a small file read): its peak, and what the
 * step kept — RSS after it minus before it, less what the process's own growth added meanwhile (the watch's rate).
 * VmHWM catches a peak between two polls (a snapshot's) when it is the process's highest ever.
 */
class RssWatch {
  #timer: NodeJS.Timeout | undefined;
  #startMs = 0;
  #startRss: number | null = null;
  #startHwm: number | null = null;
  #peak: number | null = null;

  constructor(readonly pid: number) {
    this.restart();
  }

  restart(): void {
    this.stop();
    this.#startMs = Date.now();
    const status = readStatus(this.pid);
    this.#startRss = isUnavailable(status) ? null : status.rssBytes;
    this.#startHwm = isUnavailable(status) ? null : status.hwmBytes;
    this.#peak = this.#startRss;
    this.#timer = setInterval(() => this.#poll(), RSS_POLL_MS);
    this.#timer.unref();
  }

  #poll(): number | null {
    const status = readStatus(this.pid);
    if (isUnavailable(status) || status.rssBytes === null) return null;
    this.#peak = Math.max(this.#peak ?? 0, status.rssBytes);
    if (status.hwmBytes !== null && this.#startHwm !== null && status.hwmBytes > this.#startHwm) this.#peak = Math.max(this.#peak, status.hwmBytes);
    return status.rssBytes;
  }

  /** The step's cost so far; with `growthPerSecond` (the watch's RSS rate), what it kept beyond that growth. */
  cost(pauseMs: number, growthPerSecond?: number | null): StepCost {
    const now = this.#poll();
    let kept: number | null = null;
    if (growthPerSecond !== undefined && now !== null && this.#startRss !== null) {
      const ownGrowth = Math.max(0, growthPerSecond ?? 0) * ((Date.now() - this.#startMs) / 1000);
      kept = Math.max(0, Math.round(now - this.#startRss - ownGrowth));
    }
    return { pauseMs: Math.round(pauseMs), peakRssBytes: this.#peak, keptRssBytes: kept };
  }

  /** `cost` a moment after a snapshot, when RSS has settled (V8 frees its structures as the last chunk goes). */
  async keptCost(pauseMs: number, growthPerSecond: number | null): Promise<StepCost> {
    await sleep(300);
    return this.cost(pauseMs, growthPerSecond);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/** Calls `tick(secondsLeft)` every second until stopped. */
class Countdown {
  readonly #timer: NodeJS.Timeout;
  constructor(durationMs: number, tick: (secondsLeft: number) => void) {
    const endMs = Date.now() + durationMs;
    tick(Math.ceil(durationMs / 1000));
    this.#timer = setInterval(() => tick(Math.max(0, Math.ceil((endMs - Date.now()) / 1000))), 1000);
    this.#timer.unref();
  }
  stop(): void {
    clearInterval(this.#timer);
  }
}

const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 1048576).toFixed(1)}M`);
const shortUrl = (url: string) => url.slice(url.lastIndexOf('/') + 1);
