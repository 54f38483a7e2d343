/**
 * A full GC that V8 starts by itself, and the tally of every GC in between: what lets `why`'s watch read its heap
 * floors without forcing a GC (issue 16: steps 1–2 must cost a busy server ≤ 2 %).
 *
 * Why not force it: a forced full GC is atomic, and run by the inspector between two requests it finds no object of
 * a request alive; V8 then throws away the optimized code that embeds such objects ("weak objects": ~9–55 functions
 * of a JSON API's request path) and the server runs ~10 % slower per request for minutes while it re-optimizes
 * (docs/performance.md, "why a forced full GC leaves the server slower"). A full GC V8 starts itself marks
 * incrementally while the process keeps running; what is allocated meanwhile survives, and nothing is deoptimized
 * (measured: 0 against 55 through the inspector, Node 20–26; Node 18 deoptimizes as for a forced one).
 *
 * How: an ArrayBuffer of UNFORCED_GC_BYTES allocated and dropped at once in the target. External memory past V8's
 * soft limit (64 MiB above what it was at the last mark-compact) makes V8 start incremental marking, and a
 * mark-compact follows within tens of ms. `Buffer.allocUnsafeSlow` takes it from Node's allocator unzeroed and never
 * writes it, so it is address space only (RSS +0.1–0.5 MB, measured): nothing against a memory cgroup's limit. Past
 * V8's *hard* external limit (half the old generation's maximum) V8 would run an atomic memory-reducing GC instead, so
 * a heap limit too small for the allocation is refused here and the caller forces its GC as before. `v8.GCProfiler`
 * (Node ≥ 18.15) records that GC's heap figures right after it — the floor, not a read some ms later in which a busy
 * process has allocated again.
 */
import { ProtocolError, RequestTimeoutError } from './errors.js';
import { V8_MODULE, type InspectorSession } from './session.js';

/** The allocation that starts the GC: past V8's soft external limit (64 MiB) with room to spare. */
export const UNFORCED_GC_BYTES = 80 * 1024 * 1024;
/**
 * What is kept off `heap_size_limit` before halving it into V8's hard external limit (which is half the *old*
 * generation's maximum): the young generation's share of the limit, at most 3 × a 16 MiB semi-space on 64-bit
 * machines, rounded up.
 */
const YOUNG_GENERATION_ALLOWANCE_BYTES = 64 * 1024 * 1024;
/**
 * How long the target's event loop may take to turn once before anything is done, ms. The GC's end reaches the
 * process's JavaScript as an event: in a loop that does not turn, the recorder would run (and grow) for as long as
 * it is blocked, so nothing starts until the loop has turned, and not at all once leaktop has given up waiting.
 */
const LOOP_TURN_WAIT_MS = 2000;
/** How long the target waits for V8's count of external memory to drop the freed allocation, ms. */
const SETTLE_WAIT_MS = 200;
/** How long the target waits for the mark-compact (measured 10–57 ms on a busy server), ms. */
const MARK_COMPACT_WAIT_MS = 3000;
/** How long leaktop waits for the whole evaluation, ms. */
const ANSWER_TIMEOUT_MS = LOOP_TURN_WAIT_MS + MARK_COMPACT_WAIT_MS + SETTLE_WAIT_MS + 2000;

/** The heap right after a full GC V8 ran by itself. */
export interface UnforcedFloor {
  /** From the allocation to the end of the mark-compact, ms (the process ran meanwhile). */
  elapsedMs: number;
  /** The mark-compact's own pause (its atomic part), ms. */
  pauseMs: number;
  /** True when V8 marked incrementally first (false: it ran an atomic GC after all, e.g. for the hard limit). */
  incremental: boolean;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** The old space's used bytes after the GC; null when V8 did not list it. */
  oldSpaceUsedBytes: number | null;
  externalBytes: number;
  arrayBuffersBytes: number;
  rssBytes: number;
}

/** Why no unforced floor was read: the caller forces its GC instead. */
export interface NoUnforcedFloor {
  unavailable: string;
}

const PERF_HOOKS_MODULE = "(process.getBuiltinModule?.('perf_hooks') ?? require('perf_hooks'))";

/** The evaluation in the target (awaited): the allocation, the wait for the mark-compact, its figures. */
const UNFORCED_GC_EXPRESSION = `(async () => {
  const v8 = ${V8_MODULE};
  const perf = ${PERF_HOOKS_MODULE};
  if (typeof v8.GCProfiler !== 'function') return { unavailable: 'its Node has no v8.GCProfiler (Node < 18.15)' };
  const asked = Date.now();
  await new Promise((resolve) => setImmediate(resolve));
  if (Date.now() - asked > ${LOOP_TURN_WAIT_MS}) return { unavailable: 'its event loop did not turn within ${LOOP_TURN_WAIT_MS / 1000} s' };
  const before = process.memoryUsage();
  const hardLimit = (v8.getHeapStatistics().heap_size_limit - ${YOUNG_GENERATION_ALLOWANCE_BYTES}) / 2;
  if (before.external + ${UNFORCED_GC_BYTES} > hardLimit) return { unavailable: 'its heap limit is too small for a GC started by V8 (it would run an atomic one)' };
  const major = perf.constants.NODE_PERFORMANCE_GC_MAJOR;
  let profiler = new v8.GCProfiler();
  let observer;
  let timer;
  const started = performance.now();
  try {
    const collected = new Promise((resolve) => {
      observer = new perf.PerformanceObserver((list) => {
        if (list.getEntries().some((e) => (e.detail ? e.detail.kind : e.kind) === major)) resolve(true);
      });
      observer.observe({ entryTypes: ['gc'] });
      timer = setTimeout(resolve, ${MARK_COMPACT_WAIT_MS}, false);
    });
    profiler.start();
    try { Buffer.allocUnsafeSlow(${UNFORCED_GC_BYTES}); } catch { return { unavailable: 'the process could not reserve the address space that starts it' }; }
    const done = await collected;
    const elapsedMs = performance.now() - started;
    // V8 takes a freed ArrayBuffer out of its external count only when its sweeper has finished, which the next
    // ArrayBuffer allocation checks for; until then \`external\` reads 80 MiB high. The sweeper runs on another
    // thread: on a busy machine it may not have finished within ${SETTLE_WAIT_MS} ms (seen once on Node 26), and then the
    // buffer — freed already: \`arrayBuffers\` no longer counts it — is taken out of the figure here.
    const settleBy = performance.now() + ${SETTLE_WAIT_MS};
    const counted = () => process.memoryUsage().external > before.external + ${UNFORCED_GC_BYTES / 2};
    while (counted() && performance.now() < settleBy) {
      new ArrayBuffer(8);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const memory = process.memoryUsage();
    if (counted()) memory.external -= ${UNFORCED_GC_BYTES};
    const gcs = profiler.stop().statistics;
    profiler = undefined;
    let last = -1;
    for (let i = 0; i < gcs.length; i++) if (gcs[i].gcType === 'MarkSweepCompact') last = i;
    if (!done || last < 0) return { unavailable: 'V8 ran no full GC within ${MARK_COMPACT_WAIT_MS / 1000} s' };
    const after = gcs[last].afterGC;
    const old = after.heapSpaceStatistics.find((s) => s.spaceName === 'old_space');
    return {
      elapsedMs,
      pauseMs: gcs[last].cost / 1000,
      incremental: gcs.slice(0, last).some((g) => g.gcType === 'IncrementalMarking'),
      heapUsedBytes: after.heapStatistics.usedHeapSize,
      heapTotalBytes: after.heapStatistics.totalHeapSize,
      oldSpaceUsedBytes: old ? old.spaceUsedSize : null,
      externalBytes: memory.external,
      arrayBuffersBytes: memory.arrayBuffers,
      rssBytes: memory.rss,
    };
  } finally {
    observer?.disconnect();
    clearTimeout(timer);
    if (profiler) try { profiler.stop(); } catch {}
  }
})()`;

/**
 * One full GC started by V8 in the target (see the module's comment), and the heap right after it; or why not, in
 * which case nothing else was done to the process and the caller forces its GC. Never throws for the target's
 * answer: a blocked event loop (no answer in ANSWER_TIMEOUT_MS) is a reason too; a lost connection still throws.
 */
export async function unforcedFullGc(session: InspectorSession): Promise<UnforcedFloor | NoUnforcedFloor> {
  try {
    const reply = await session.connection.send(
      'Runtime.evaluate',
      { expression: UNFORCED_GC_EXPRESSION, includeCommandLineAPI: true, returnByValue: true, awaitPromise: true, silent: true },
      { timeoutMs: ANSWER_TIMEOUT_MS },
    );
    if (reply.exceptionDetails) return { unavailable: `it failed in the process: ${reply.exceptionDetails.exception?.description?.split('\n')[0] ?? reply.exceptionDetails.text}` };
    const value = reply.result.value as UnforcedFloor | NoUnforcedFloor | undefined;
    return value && typeof value === 'object' ? value : { unavailable: 'the process gave no answer' };
  } catch (error) {
    if (error instanceof RequestTimeoutError) return { unavailable: `the process did not answer within ${ANSWER_TIMEOUT_MS / 1000} s (its event loop is busy)` };
    if (error instanceof ProtocolError) return { unavailable: `the inspector refused it: ${error.message}` };
    throw error;
  }
}

/** One GC the tally saw: the heap used just before and just after it. */
export interface TalliedGc {
  type: string;
  beforeBytes: number;
  afterBytes: number;
}

/** How long a tally runs in the target without a read before it stops itself (leaktop gone, or a lost session), ms. */
const TALLY_DEADLINE_MS = 30_000;

/** Makes the tally in the target: a v8.GCProfiler, and a timer that stops it when leaktop stops reading. */
const TALLY_START_EXPRESSION = `(() => {
  const v8 = ${V8_MODULE};
  if (typeof v8.GCProfiler !== 'function') return undefined;
  const tally = { GCProfiler: v8.GCProfiler, profiler: new v8.GCProfiler(), timer: undefined };
  tally.arm = () => {
    clearTimeout(tally.timer);
    tally.timer = setTimeout(() => { tally.profiler?.stop(); tally.profiler = undefined; }, ${TALLY_DEADLINE_MS});
    tally.timer.unref?.();
  };
  tally.profiler.start();
  tally.arm();
  return tally;
})()`;

/**
 * Hands over the GCs since the last read (a fresh GCProfiler each time, so the target keeps one read's worth of
 * records), or stops for good (`this.profiler` left undefined). A GC that would fall between the two profilers is
 * missed; one in both would be counted twice, which is worse.
 */
const TALLY_READ_FUNCTION = `function (keepGoing) {
  if (!this.profiler) return null;
  const gcs = this.profiler.stop().statistics;
  this.profiler = undefined;
  clearTimeout(this.timer);
  if (keepGoing) {
    this.profiler = new this.GCProfiler();
    this.profiler.start();
    this.arm();
  }
  return gcs.map((g) => [g.gcType, g.beforeGC.heapStatistics.usedHeapSize, g.afterGC.heapStatistics.usedHeapSize]);
}`;

/**
 * Every GC of the target's isolate from `start` to `stop`, with the heap before and after each: the bytes allocated
 * between them (core/alloc/gc-allocation.ts) without the allocation sampler, whose every read V8 turns into a forced
 * full GC. Read it now and then (each `read` empties the target's records); `stop` on every way out — and if leaktop
 * never does, the target stops it TALLY_DEADLINE_MS after the last read.
 */
export class GcTally {
  readonly #session: InspectorSession;
  readonly #objectId: string;
  readonly #gcs: TalliedGc[] = [];
  #stopped = false;

  private constructor(session: InspectorSession, objectId: string) {
    this.#session = session;
    this.#objectId = objectId;
  }

  /** A running tally, or null when the target's Node has no v8.GCProfiler (or would not make one). */
  static async start(session: InspectorSession): Promise<GcTally | null> {
    try {
      const reply = await session.connection.send('Runtime.evaluate', { expression: TALLY_START_EXPRESSION, includeCommandLineAPI: true, silent: true, objectGroup: 'leaktop-gc-tally' }, { timeoutMs: 5000 });
      const objectId = reply.exceptionDetails ? undefined : (reply.result.objectId as string | undefined);
      return objectId ? new GcTally(session, objectId) : null;
    } catch (error) {
      if (error instanceof RequestTimeoutError || error instanceof ProtocolError) return null;
      throw error;
    }
  }

  /** The GCs seen so far, in order. */
  get gcs(): readonly TalliedGc[] {
    return this.#gcs;
  }

  /** Collects the target's records since the last read; false when the tally has stopped (by itself, or lost). */
  read(): Promise<boolean> {
    return this.#take(true);
  }

  /** The last records, then the profiler stopped and the remote object released. Safe to call twice. */
  async stop(): Promise<boolean> {
    if (this.#stopped) return false;
    const taken = await this.#take(false).catch(() => false);
    this.#stopped = true;
    await this.#session.connection.send('Runtime.releaseObject', { objectId: this.#objectId }, { timeoutMs: 5000 }).catch(() => undefined);
    return taken;
  }

  async #take(keepGoing: boolean): Promise<boolean> {
    if (this.#stopped) return false;
    const reply = await this.#session.connection.send('Runtime.callFunctionOn', { objectId: this.#objectId, functionDeclaration: TALLY_READ_FUNCTION, arguments: [{ value: keepGoing }], returnByValue: true, silent: true }, { timeoutMs: 5000 });
    const rows = reply.exceptionDetails ? null : (reply.result.value as Array<[string, number, number]> | null);
    if (!rows) return false;
    for (const [type, beforeBytes, afterBytes] of rows) this.#gcs.push({ type, beforeBytes, afterBytes });
    return true;
  }
}
