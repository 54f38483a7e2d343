/**
 * The growth judgement: does a process's memory grow, and which memory — from readings over a window and the marks of
 * what leaktop itself did to it. Used by the monitor's GROWTH column, `leaktop why`'s watch step and `leaktop serve`'s
 * verdict metric (contract: /work/coord/growth-api.md). Pure.
 *
 * How (each rule answers a way the old least-squares slope of RSS/heapUsed went wrong):
 * - The heap is judged on its post-GC floor (heap-floors.ts), never on the pre-GC heap: a churning sawtooth is not
 *   growth, and a leak under it shows in the floor.
 * - Nothing is judged before `minWindowMs` (60 s): a slope after 5 samples is warm-up and GC phase, not a trend.
 *   The heap also needs `minFloors` GC floors, spread over the window.
 * - A rise must hold: the Theil–Sen slope over the window, the same sign and at least 30 % of it in each half and in
 *   the last third, the later half at least 30 % of the first half's, and the last third's median floor above the
 *   first third's by half of what the slope says. One step (6 MB of RSS in a bounded process) rises in one half only,
 *   a cache filling up flattens in the last third, a young process's warm-up slows to a plateau: not growth.
 * - Scavenges leave promoted garbage that only a full GC frees: the floor is the lower envelope of the troughs, and
 *   with the old space known (the monitor reads the heap spaces) a rise a full GC took back is bounded.
 * - leaktop's own actions (attach, snapshot, gc, sampling, trim) move memory by themselves (+244 MiB/min of RSS after
 *   two snapshots): heap and external readings near a mark are left out, and RSS is spliced there: the readings up to
 *   `markSettleMs` after the mark dropped, the level the action left taken out of those after (see splicedRss).
 * - The kind follows from which series holds its rise: heap (main or workers' heap floor), off-heap (external, which
 *   includes arrayBuffers), native (while none of those grows, RSS beyond the committed heap and external, reading by
 *   reading, over the readings that carry the committed heap; without it, RSS's rate less theirs).
 * - RSS alone (no heap figures) does not tell a young process's warm-up (V8's young generation grown to its working
 *   size, the old space filled to its first full GC: +45 MB in 38 s in a bounded control) from a leak: for a process
 *   whose window reaches into its first `minWindowMs`, a rise of RSS is judged after them — it holds only when it
 *   holds after them too, it is bounded when flat after them, and otherwise it waits (`warmingUp`).
 */
import { heapFloors } from './heap-floors.js';
import { firstAtOrAfter, fitQuality, inTimeOrder, median, medianValue, theilSenSlope, type Point } from './robust-trend.js';

export type GrowthKind = 'heap' | 'off-heap' | 'native' | 'none' | 'unsure';

/** One reading of a process's memory. Missing figures are undefined (no inspector: only rss). Bytes, ms. */
export interface MemoryReading {
  atMs: number;
  rssBytes: number;
  /** The main isolate's heapUsed (the workers' heaps go in `workersHeapUsedBytes`, judged as a series of their own). */
  heapUsedBytes?: number;
  /** The main isolate's heapTotal (committed heap), when read: RSS grows with it while a heap warms up. */
  heapTotalBytes?: number;
  /** process.memoryUsage().external (it includes arrayBuffers). */
  externalBytes?: number;
  arrayBuffersBytes?: number;
  /** Sum of the worker isolates' heapUsed, when read. */
  workersHeapUsedBytes?: number;
  /** True when taken right after a forced full GC (a true floor). */
  afterGc?: boolean;
  /**
   * V8's old space used (`v8.getHeapSpaceStatistics()`), when read. Only a full GC lowers it, so its falls tell the
   * full GCs apart from the scavenges, whose troughs still hold the old-generation garbage of a bounded cache.
   */
  oldSpaceUsedBytes?: number;
}

/** Something leaktop itself did to the process (attach, snapshot, gc, sampling, trim), which moves RSS by itself. */
export interface ActionMark {
  atMs: number;
  action: string;
  /** When the action ended, for one that lasts (a snapshot's capture, a sampler's run); Infinity while it runs. */
  untilMs?: number;
}

export interface GrowthJudgement {
  kind: GrowthKind;
  /** Growth rates in bytes per second, null when unknown. heapFloor is the slope of the post-GC heap floor. */
  rates: {
    rss: number | null;
    heapFloor: number | null;
    external: number | null;
    native: number | null;
    /** The slope of the workers' summed post-GC heap floor, null when no worker heap was read. */
    workersHeapFloor: number | null;
  };
  /** Time span judged, ms. */
  windowMs: number;
  /** One line for humans: the figures behind the kind ("heap floor +6.1 MiB/min over 120 s, R² 0.93"). */
  reason: string;
  /** For 'unsure': how much longer to watch, ms. Absent when watching longer would not tell (see `holds`). */
  moreMs?: number;
  /**
   * A rise held over the window: true for heap, off-heap and native; also for 'unsure' when RSS grows but no heap
   * figures say which kind (attach to tell). The monitor's LEAK? mark.
   */
  holds: boolean;
  /**
   * Set while the judgement waits for a young process's warm-up to pass (RSS alone, see `afterWarmUp`): its rise is
   * neither confirmed nor refuted yet, and `rates.rss` is the warm-up's as much as the process's. GROWTH shows the
   * wait (`moreMs`), not a figure.
   */
  warmingUp?: true;
}

export interface JudgeOptions {
  /** Nothing is judged over less: `why` watches 60 s by default, and a minute holds several GC cycles. @default 60_000 */
  minWindowMs?: number;
  /** Only the newest readings within this span are judged (the README's two minutes). @default 120_000 */
  maxWindowMs?: number;
  /** GC floors (troughs of the heap sawtooth) a heap-like series needs in its window. @default 6 */
  minFloors?: number;
  /** Least rise over the window of a heap floor or of external to count as growth (floors scatter by ~1 MB). @default 2 MiB */
  minRiseBytes?: number;
  /** The same for RSS and native growth, which move in larger steps (arenas, heap pages). @default 4 MiB */
  minRssRiseBytes?: number;
  /** How long after a mark (or its end) readings are disturbed by it. @default 10_000 */
  markSettleMs?: number;
}

/** What one series did over its window. Rates in bytes per ms. */
interface SeriesVerdict {
  state: 'grows' | 'flat' | 'unsure';
  /** Bytes per ms; null when unknown. */
  rate: number | null;
  spanMs: number;
  r2: number | null;
  moreMs?: number;
  /** Why, when not plain: "a step, then flat", "rose in the last half only", "3 GC floors of 6". */
  note?: string;
}

const MiB = 1024 * 1024;

/** Share of the overall slope each half must keep for a rise to hold. */
const HALF_SHARE = 0.3;

/** A rise over `points` (floors, or RSS readings) spanning `[startMs, endMs]` of watched time. */
function judgeTrend(points: readonly Point[], startMs: number, endMs: number, minRise: number, minWindowMs: number): SeriesVerdict {
  const spanMs = endMs - startMs;
  if (spanMs < minWindowMs) return { state: 'unsure', rate: null, spanMs, r2: null, moreMs: minWindowMs - spanMs, note: `${seconds(spanMs)} of ${seconds(minWindowMs)} watched` };
  const rate = theilSenSlope(points);
  if (rate === null) return { state: 'unsure', rate: null, spanMs, r2: null, moreMs: minWindowMs / 2, note: 'too few readings' };
  const r2 = fitQuality(points, rate);
  if (rate <= 0 || rate * spanMs < minRise) return { state: 'flat', rate, spanMs, r2 };
  const mid = startMs + spanMs / 2;
  const third = spanMs / 3;
  // The halves and thirds are ranges of the points when they are in time order (they are, from the tracker): fitted
  // and taken the median of in place, where filtering made a copy of each.
  const ordered = inTimeOrder(points);
  const before = (t: number): Part => (ordered ? { points, from: 0, to: firstAtOrAfter(points, t) } : whole(points.filter((p) => p.t < t)));
  const since = (t: number): Part => (ordered ? { points, from: firstAtOrAfter(points, t), to: points.length } : whole(points.filter((p) => p.t >= t)));
  const slopeOf = (part: Part) => theilSenSlope(part.points, part.from, part.to);
  const first = slopeOf(before(mid));
  const second = slopeOf(since(mid));
  // The last third too: a cache filling up rises in a curve that flattens, a leak in a line.
  const lastPart = since(endMs - third);
  const recent = slopeOf(lastPart);
  if (first === null || second === null || recent === null) return { state: 'unsure', rate, spanMs, r2, moreMs: spanMs / 2, note: 'too few readings in part of the window' };
  const firstPart = before(startMs + third);
  const firstThird = medianValue(firstPart.points, firstPart.from, firstPart.to);
  const lastThird = medianValue(lastPart.points, lastPart.from, lastPart.to);
  const thirdsRise = lastThird - firstThird;
  const holdsLately = second >= HALF_SHARE * rate && recent >= HALF_SHARE * rate;
  // The second half must also keep a share of the first half's slope, not only of the whole window's: a process's
  // first seconds (modules loaded, code compiled, V8's young generation grown to its working size: RSS 41 → 80 MB in
  // 13 s, then a plateau) lift the whole window's slope, and the plateau's sawtooth (old space filled, then given back
  // at a full GC) fits slopes that clear 30 % of it in the later half and third one tick in four.
  const slowing = second < HALF_SHARE * first;
  if (!slowing && first >= HALF_SHARE * rate && holdsLately && thirdsRise >= 0.5 * rate * 2 * third) return { state: 'grows', rate, spanMs, r2 };
  // It rose, but not all along. Flat since: a step that stays (a pool filled, a buffer grown once) is bounded.
  if (!holdsLately) return { state: 'flat', rate, spanMs, r2, note: 'a step, then flat' };
  // Much slower since: when what the later half still rose would not count as growth over it, the rise has flattened
  // (a young process warming up, a cache filling); otherwise it may be a leak under a warm-up: watch on.
  if (slowing) return second * (spanMs / 2) < minRise ? { state: 'flat', rate, spanMs, r2, note: 'a rise that flattened' } : { state: 'unsure', rate, spanMs, r2, moreMs: spanMs / 2, note: 'slowing down' };
  return { state: 'unsure', rate, spanMs, r2, moreMs: spanMs / 2, note: 'rose in the last half only' };
}

/** A range of points: `points[from..to)`. */
interface Part {
  points: readonly Point[];
  from: number;
  to: number;
}

function whole(points: readonly Point[]): Part {
  return { points, from: 0, to: points.length };
}

/** Is `atMs` disturbed by one of the marks (from 1 s before it to `settleMs` after its end)? */
function nearMark(atMs: number, marks: readonly ActionMark[], settleMs: number): boolean {
  return marks.some((m) => atMs >= m.atMs - 1000 && atMs <= (m.untilMs ?? m.atMs) + settleMs);
}

type HeapField = 'heapUsedBytes' | 'externalBytes' | 'workersHeapUsedBytes';

const FIELD_READERS: Record<HeapField, (r: MemoryReading) => number | undefined> = {
  heapUsedBytes: (r) => r.heapUsedBytes,
  externalBytes: (r) => r.externalBytes,
  workersHeapUsedBytes: (r) => r.workersHeapUsedBytes,
};

/**
 * A heap-like series (heapUsed, external, the workers' heaps) judged on its post-GC floor. Forced-GC readings
 * (`afterGc`), when two or more span the minimum window, are true floors and carry the rate; the troughs between
 * them must not contradict it, and with only two (why's start and end) the process's own full GCs between them must
 * not show that the rise had flattened (flattenedBetweenForced). Otherwise the troughs of the sawtooth; with too few of them, the raw series is an
 * upper bound of the floor: when even it does not rise, neither does the floor.
 */
function judgeHeapLike(readings: readonly MemoryReading[], field: HeapField, marks: readonly ActionMark[], startMs: number, endMs: number, o: Required<JudgeOptions>): SeriesVerdict | null {
  // A named read per field rather than r[field]: a keyed read over every reading, three times a judgement, was a
  // tenth of the monitor's judging in its first minute, when each process is judged on every tick.
  const value = FIELD_READERS[field];
  const known = readings.filter((r) => Number.isFinite(value(r)));
  if (known.length === 0) return null;
  const raw = known.map((r) => ({ t: r.atMs, v: value(r)! }));
  const start = Math.max(startMs, known[0]!.atMs);
  const { floors: troughs, drops } = heapFloors(raw);
  const forcedAt = new Set(known.filter((r) => r.afterGc).map((r) => r.atMs));
  // Troughs are found on the whole series, then those near a mark dropped: a gap must not make a fall of its own.
  const natural = troughs.filter((p) => !forcedAt.has(p.t) && !nearMark(p.t, marks, o.markSettleMs));
  const forced = raw.filter((p) => forcedAt.has(p.t));
  if (forced.length >= 2 && forced[forced.length - 1]!.t - forced[0]!.t >= o.minWindowMs) {
    const verdict = forced.length >= 3 ? judgeTrend(forced, start, endMs, o.minRiseBytes, o.minWindowMs) : twoFloors(forced, start, endMs, o.minRiseBytes);
    if (verdict.state !== 'grows') return verdict;
    // Two floors have no shape: the full GCs the process ran by itself between them give it one, where they show.
    const flattened = forced.length === 2 && field === 'heapUsedBytes' ? flattenedBetweenForced(known, marks, o) : null;
    if (flattened !== null) return { ...verdict, state: 'flat', note: flattened };
    if (natural.length < o.minFloors) return verdict;
    const between = theilSenSlope(natural);
    return between !== null && between >= 0.25 * verdict.rate! ? verdict : { ...verdict, state: 'flat', note: 'the floors between the forced GCs do not rise' };
  }
  // Judged from the first reading no mark disturbs, as RSS is: those after an attach are left out for markSettleMs,
  // and a window counted from the attach fell short of the minimum by as much (24 s of readings judged as 34: a young
  // process's old space filling up to its next full GC read as a heap leak).
  const settled = known.find((r) => !nearMark(r.atMs, marks, o.markSettleMs));
  const from = settled === undefined ? endMs : Math.max(startMs, settled.atMs);
  if (drops > 0 && natural.length < o.minFloors) {
    const upper = judgeTrend(raw.filter((p) => !nearMark(p.t, marks, o.markSettleMs)), from, endMs, o.minRiseBytes, o.minWindowMs);
    if (upper.state === 'flat') return { ...upper, note: 'flat even before GC' };
    if (upper.state === 'unsure' && upper.rate === null) return upper;
    const spacing = natural.length >= 2 ? (natural[natural.length - 1]!.t - natural[0]!.t) / (natural.length - 1) : o.minWindowMs / 2;
    return { state: 'unsure', rate: null, spanMs: endMs - from, r2: null, moreMs: Math.max(1000, spacing * (o.minFloors - natural.length)), note: `${natural.length} GC floors of ${o.minFloors}` };
  }
  const verdict = judgeTrend(drops === 0 ? raw.filter((p) => !nearMark(p.t, marks, o.markSettleMs)) : lowerEnvelope(natural), from, endMs, o.minRiseBytes, o.minWindowMs);
  return field === 'heapUsedBytes' && verdict.state === 'grows' ? takenBackByFullGc(known, verdict, marks, o) : verdict;
}

/**
 * The floor of the floors: each trough replaced by the lowest trough from it to the end of the window. Scavenge
 * troughs still hold what the scavenges promoted until a full GC frees it: a bounded cache that evicts lifts them
 * by megabytes between two full GCs, then falls back. A trough that a later one undercuts was not a floor. What is
 * left rises only where the heap kept what it had (a leak), or after the last full GC (the end of the window, which
 * the last-third check does not take for a trend alone).
 */
function lowerEnvelope(troughs: readonly Point[]): Point[] {
  const envelope: Point[] = new Array<Point>(troughs.length);
  let lowest = Infinity;
  for (let i = troughs.length - 1; i >= 0; i--) {
    lowest = Math.min(lowest, troughs[i]!.v);
    envelope[i] = { t: troughs[i]!.t, v: lowest };
  }
  return envelope;
}

/**
 * Between two forced floors (why's watch: a forced full GC at its start and its end, no more, since each one leaves a
 * busy server slower for a minute or more), whether the rise was over before the end: a cache that filled, then
 * stopped. Two floors give the rise, not its shape; the full GCs the process ran by itself between them give the
 * shape, where they show: the old space falls at a full GC (a scavenge only adds to it), and right after one it holds
 * what is live, as after a forced GC. The scavenges' troughs cannot stand in: they carry what the scavenges promoted
 * until a full GC frees it (a bounded churn's old space rose 3.7 → 9.5 MB in 7 s with no full GC, as fast as the
 * cache fixture's leak), and the young generation's contents (up to its 16 MB semispaces) at the moment of reading.
 *
 * The old space is compared with itself: at the first forced floor, after each natural full GC, at the last forced
 * floor. When, after a natural full GC at least a third of the window before its end, the old space rose by less than
 * HALF_SHARE of its share of the whole rise (what judgeTrend asks of a later half or third) less `minRiseBytes / 2`
 * (what was promoted between that GC and the reading, up to a tick's worth), the rise had flattened: the note, else
 * null. No natural full GC in the window (a short watch, a clean leak promotes little garbage) proves nothing: null.
 */
function flattenedBetweenForced(known: readonly MemoryReading[], marks: readonly ActionMark[], o: Required<JudgeOptions>): string | null {
  const old = known.filter((r) => r.oldSpaceUsedBytes !== undefined && Number.isFinite(r.oldSpaceUsedBytes) && (r.afterGc || !nearMark(r.atMs, marks, o.markSettleMs)));
  const first = old.find((r) => r.afterGc);
  const last = old.findLast((r) => r.afterGc);
  if (first === undefined || last === undefined || last === first) return null;
  const spanMs = last.atMs - first.atMs;
  const rise = last.oldSpaceUsedBytes! - first.oldSpaceUsedBytes!;
  if (rise < o.minRiseBytes / 2) return null;
  for (let i = old.indexOf(first) + 1; i < old.length && old[i]!.atMs <= last.atMs - spanMs / 3; i++) {
    const r = old[i]!;
    if (r.afterGc || old[i - 1]!.oldSpaceUsedBytes! - r.oldSpaceUsedBytes! < MiB) continue;
    const leftMs = last.atMs - r.atMs;
    const riseSince = last.oldSpaceUsedBytes! - r.oldSpaceUsedBytes!;
    if (riseSince < HALF_SHARE * rise * (leftMs / spanMs) - o.minRiseBytes / 2) return `the old space rose ${mib(Math.max(0, riseSince))} in the last ${seconds(leftMs)} (after a full GC of its own), of ${mib(rise)}: a rise that flattened`;
  }
  return null;
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

/**
 * A rise of the heap floor that a full GC took back. When the readings carry the old space, a full GC shows as a fall
 * of it (a scavenge only adds to it), and right after one the old space is what is live. When a full GC (a fall of
 * 1 MiB or more) brought the old space back to within half of `minRiseBytes` of its lowest earlier in the window,
 * what rose was garbage between full GCs: bounded. (A clean leak promotes little garbage, so its full GCs may not show
 * at all: the absence of one proves nothing, and is not required.)
 */
function takenBackByFullGc(known: readonly MemoryReading[], verdict: SeriesVerdict, marks: readonly ActionMark[], o: Required<JudgeOptions>): SeriesVerdict {
  const old = known.filter((r) => r.oldSpaceUsedBytes !== undefined && Number.isFinite(r.oldSpaceUsedBytes) && !nearMark(r.atMs, marks, o.markSettleMs)).map((r) => ({ t: r.atMs, v: r.oldSpaceUsedBytes! }));
  if (old.length < 2) return verdict;
  const { floors, drops } = heapFloors(old);
  if (drops === 0) return verdict;
  const lastFullGc = [...floors].reverse().find((p) => {
    const i = old.indexOf(p);
    return Math.max(...old.slice(Math.max(0, i - 3), i).map((q) => q.v)) - p.v >= MiB;
  });
  if (!lastFullGc) return verdict;
  const lowestBefore = Math.min(...old.filter((p) => p.t < lastFullGc.t).map((p) => p.v));
  return lastFullGc.v - lowestBefore <= o.minRiseBytes / 2 ? { ...verdict, state: 'flat', note: 'a full GC took it back: garbage between full GCs' } : verdict;
}

/**
 * RSS readings with leaktop's own actions cut out and the level they left spliced away: the readings near a mark are
 * dropped, and those after it shifted so that the first one continues from the last one before it. A snapshot's
 * +150 MB stays in RSS for minutes; resetting the baseline this way keeps the process's own trend on both sides
 * (a leak goes on showing across an attach), while a staircase of snapshots no longer reads as growth. While an action
 * runs (`untilMs` Infinity: the sampler) the readings since it started are not judged.
 */
function splicedRss(readings: readonly MemoryReading[], marks: readonly ActionMark[], settleMs: number, value: (r: MemoryReading) => number = rssOf): Point[] {
  // The runs of readings between marks.
  const segments: Point[][] = [[]];
  for (const r of readings) {
    const v = value(r);
    if (!Number.isFinite(v)) continue;
    if (nearMark(r.atMs, marks, settleMs)) {
      if (segments[segments.length - 1]!.length > 0) segments.push([]);
      continue;
    }
    segments[segments.length - 1]!.push({ t: r.atMs, v });
  }
  // Each run continues from the one before: the medians of three readings on either side of the gap meet, so that
  // one noisy reading does not set the level of all that follow. A single run (no mark in the window: the usual
  // case) is the readings as they are, not copied.
  const runs = segments.filter((segment) => segment.length > 0);
  if (runs.length <= 1) return runs[0] ?? [];
  const points: Point[] = [];
  for (const segment of runs) {
    const shift = points.length === 0 ? 0 : median(segment.slice(0, 3).map((p) => p.v)) - median(points.slice(-3).map((p) => p.v));
    for (const p of segment) points.push({ t: p.t, v: p.v - shift });
  }
  return points;
}

/** The times of the first and last readings `splicedRss` keeps (null when it keeps none), without splicing. */
function rssSpan(readings: readonly MemoryReading[], marks: readonly ActionMark[], settleMs: number, value: (r: MemoryReading) => number = rssOf): { firstMs: number; lastMs: number } | null {
  const keeps = (r: MemoryReading) => Number.isFinite(value(r)) && !nearMark(r.atMs, marks, settleMs);
  const first = readings.findIndex(keeps);
  if (first < 0) return null;
  const last = readings.findLastIndex(keeps);
  return { firstMs: readings[first]!.atMs, lastMs: readings[last]!.atMs };
}

function rssOf(r: MemoryReading): number {
  return r.rssBytes;
}

/**
 * The RSS that neither the committed heap nor external holds, in one reading; NaN without the committed heap. A heap
 * commits pages ahead of use (V8 grows the young generation's semispaces to 16 MB each in a process's first seconds,
 * and the old space a page at a time until a full GC gives them back), and RSS follows those pages as they are
 * touched: RSS minus heapTotal cancels both the warm-up and the old space's sawtooth, where a slope of heapTotal
 * (a step, its Theil–Sen slope near 0) did not. external is malloc'ed (Buffers, ArrayBuffers), judged on its own.
 */
function beyondCommittedOf(r: MemoryReading): number {
  return r.heapTotalBytes === undefined ? Number.NaN : r.rssBytes - r.heapTotalBytes - (r.externalBytes ?? 0);
}

/** RSS beyond the committed heap and external (`beyondCommittedOf`), spliced at leaktop's own actions as RSS is. */
function judgeBeyondCommitted(readings: readonly MemoryReading[], marks: readonly ActionMark[], o: Required<JudgeOptions>): SeriesVerdict {
  const kept = rssSpan(readings, marks, o.markSettleMs, beyondCommittedOf);
  if (kept === null) return { state: 'unsure', rate: null, spanMs: 0, r2: null, moreMs: o.minWindowMs, note: "settling after leaktop's own action" };
  const points = kept.lastMs - kept.firstMs < o.minWindowMs ? [] : splicedRss(readings, marks, o.markSettleMs, beyondCommittedOf);
  return judgeTrend(points, kept.firstMs, kept.lastMs, o.minRssRiseBytes, o.minWindowMs);
}

/**
 * RSS after a process's first `minWindowMs`, for a process with no heap figures whose window reaches back into them.
 * A young process's RSS rises for tens of seconds with nothing leaking: modules loaded, code compiled, V8's young
 * generation grown to 16 MB semispaces, then its old space filled up to its first full GC (RSS 47 → 92 MB over
 * 38 s, then 82–87 MB for good, in session-leak.cjs's bounded control). Without the heap figures that tell it apart,
 * that rise is not taken for growth, nor its shape (a steep warm-up, then a slower leak: "a step, then flat") for a
 * bound: RSS growth holds only when it holds after the warm-up too, and is bounded when flat after it. The least rise is
 * the window's in proportion (what is left is shorter): a line that rises enough over `windowMs` still does.
 */
function afterWarmUp(readings: readonly MemoryReading[], marks: readonly ActionMark[], startedAtMs: number, windowMs: number, o: Required<JudgeOptions>): SeriesVerdict {
  const after = readings.filter((r) => r.atMs >= startedAtMs + o.minWindowMs);
  const kept = rssSpan(after, marks, o.markSettleMs);
  // None yet: the first comes when the warm-up ends, and the judgement a minimum window after it.
  if (kept === null) return { state: 'unsure', rate: null, spanMs: 0, r2: null, moreMs: startedAtMs + 2 * o.minWindowMs - (readings[readings.length - 1]?.atMs ?? startedAtMs), note: `0 s of ${seconds(o.minWindowMs)} watched` };
  const spanMs = kept.lastMs - kept.firstMs;
  return judgeTrend(spanMs < o.minWindowMs ? [] : splicedRss(after, marks, o.markSettleMs), kept.firstMs, kept.lastMs, (o.minRssRiseBytes * spanMs) / windowMs, o.minWindowMs);
}

/** Two forced-GC floors: the rise between them is the growth (no shape to check with two points). */
function twoFloors(forced: readonly Point[], startMs: number, endMs: number, minRise: number): SeriesVerdict {
  const a = forced[0]!;
  const b = forced[forced.length - 1]!;
  const rate = (b.v - a.v) / (b.t - a.t);
  return { state: b.v - a.v >= minRise ? 'grows' : 'flat', rate, spanMs: endMs - startMs, r2: null };
}

/**
 * Judges the growth of one process from its readings (oldest first) and the marks of leaktop's own actions on it.
 * Only the newest `maxWindowMs` are judged. `startedAtMs`, when the process started (epoch ms), when known: RSS alone
 * does not say a young process's warm-up from a leak (see `afterWarmUp`).
 */
export function judgeGrowth(readings: readonly MemoryReading[], marks: readonly ActionMark[], options: JudgeOptions = {}, startedAtMs?: number): GrowthJudgement {
  const o: Required<JudgeOptions> = {
    minWindowMs: options.minWindowMs ?? 60_000,
    maxWindowMs: options.maxWindowMs ?? 120_000,
    minFloors: options.minFloors ?? 6,
    minRiseBytes: options.minRiseBytes ?? 2 * MiB,
    minRssRiseBytes: options.minRssRiseBytes ?? 4 * 1024 * 1024,
    markSettleMs: options.markSettleMs ?? 10_000,
  };
  o.maxWindowMs = Math.max(o.maxWindowMs, o.minWindowMs);
  const noRates = { rss: null, heapFloor: null, external: null, native: null, workersHeapFloor: null };
  if (readings.length === 0) return { kind: 'unsure', rates: noRates, windowMs: 0, reason: 'no readings yet', moreMs: o.minWindowMs, holds: false };
  const endMs = readings[readings.length - 1]!.atMs;
  // The tracker hands over the window only: then it is the readings themselves, not a copy.
  const inWindow = readings.every((r) => r.atMs >= endMs - o.maxWindowMs) ? readings : readings.filter((r) => r.atMs >= endMs - o.maxWindowMs);
  const startMs = inWindow[0]!.atMs;

  // RSS with leaktop's own actions spliced out: a snapshot's or the sampler's memory is not the process's growth.
  // Splicing keeps the times of the readings it keeps: their first and last are the span judged. Below the minimum
  // window judgeTrend reads the span alone, so the points are not made (the monitor judges every process on every
  // tick in its first minute, and these were half of the garbage of its judgements).
  const kept = rssSpan(inWindow, marks, o.markSettleMs);
  const running = marks.find((m) => m.untilMs === Infinity);
  const rss: SeriesVerdict =
    kept === null
      ? { state: 'unsure', rate: null, spanMs: 0, r2: null, moreMs: o.minWindowMs, note: "settling after leaktop's own action" }
      : judgeTrend(kept.lastMs - kept.firstMs < o.minWindowMs ? [] : splicedRss(inWindow, marks, o.markSettleMs), kept.firstMs, kept.lastMs, o.minRssRiseBytes, o.minWindowMs);
  if (running) rss.note = `judged until leaktop's ${running.action} started${rss.note ? `; ${rss.note}` : ''}`;

  const heap = judgeHeapLike(inWindow, 'heapUsedBytes', marks, startMs, endMs, o);
  const external = judgeHeapLike(inWindow, 'externalBytes', marks, startMs, endMs, o);
  const workers = judgeHeapLike(inWindow, 'workersHeapUsedBytes', marks, startMs, endMs, o);

  // Native growth, judged reading by reading as RSS beyond the committed heap and external over the readings that
  // carry the committed heap (the monitor's and serve's: attached), so over the span the heap was read, not over RSS
  // read before the attach (a young process's first seconds, whose rise no heap figure covers). Without the committed
  // heap (why's readings), RSS's rate less what the heaps and external grow.
  const beyond = heap && inWindow.some((r) => r.heapTotalBytes !== undefined) ? judgeBeyondCommitted(inWindow, marks, o) : null;
  const perSecond = (v: SeriesVerdict | null) => (v?.rate == null ? null : v.rate * 1000);
  const explained = heap ? Math.max(heap.rate ?? 0, 0) + (external?.rate ?? 0) + (workers?.rate ?? 0) : null;
  // The workers' heaps are in RSS and not in the main isolate's heapTotal: their rate is taken off either way.
  const nativeRate = beyond ? (beyond.rate === null ? null : beyond.rate - (workers?.rate ?? 0)) : rss.rate !== null && explained !== null ? rss.rate - explained : null;
  const rates = { rss: perSecond(rss), heapFloor: perSecond(heap), external: perSecond(external), native: nativeRate === null ? null : nativeRate * 1000, workersHeapFloor: perSecond(workers) };
  const windowMs = endMs - startMs;

  const parts: string[] = [];
  const describe = (label: string, v: SeriesVerdict | null) => {
    if (!v || v.rate === null) return v?.note ? parts.push(`${label}: ${v.note}`) : undefined;
    const fit = v.r2 === null ? '' : `, R² ${v.r2.toFixed(2)}`;
    parts.push(`${label} ${perMinute(v.rate)} over ${seconds(v.spanMs)}${fit}${v.note ? ` (${v.note})` : ''}`);
  };

  // The kinds whose rise holds; the fastest names the growth.
  const growing: Array<{ kind: 'heap' | 'off-heap' | 'native'; rate: number; label: string; verdict: SeriesVerdict }> = [];
  if (heap?.state === 'grows') growing.push({ kind: 'heap', rate: heap.rate!, label: 'heap floor', verdict: heap });
  if (workers?.state === 'grows') growing.push({ kind: 'heap', rate: workers.rate!, label: "workers' heap floor", verdict: workers });
  if (external?.state === 'grows') growing.push({ kind: 'off-heap', rate: external.rate!, label: 'external (Buffers, ArrayBuffers)', verdict: external });
  // Native only when the heap-like series are flat, not merely unconfirmed: a growing heap takes more RSS than its
  // used bytes (pages committed ahead, fragmentation), and that surplus is not a second leak.
  const flatOrAbsent = (v: SeriesVerdict | null) => v === null || v.state === 'flat';
  const heapsFlat = growing.length === 0 && heap?.state === 'flat' && flatOrAbsent(external) && flatOrAbsent(workers) && nativeRate !== null;
  // What of RSS the judgement has to account for: beyond the committed heap when known, else RSS itself — but RSS
  // when that is flat (or falls): beyond the committed heap then "rises" only because the heap gave pages back or
  // Buffers were freed, which is memory returned, not a leak.
  const unexplained = beyond !== null && rss.state !== 'flat' ? beyond : rss;
  // RSS itself must grow too (not merely be unsure), and native memory cannot grow faster than RSS does.
  const nativeHolds =
    heapsFlat &&
    unexplained.state === 'grows' &&
    nativeRate * unexplained.spanMs >= o.minRssRiseBytes &&
    (beyond !== null ? rss.state === 'grows' && rss.rate! * rss.spanMs >= o.minRssRiseBytes : nativeRate >= 0.5 * rss.rate!);
  const shownNativeRate = nativeHolds && beyond !== null ? Math.min(nativeRate!, rss.rate!) : nativeRate!;
  if (nativeHolds) growing.push({ kind: 'native', rate: shownNativeRate, label: beyond ? 'native (RSS beyond the committed heap + external)' : 'native (RSS beyond heap + external)', verdict: { ...unexplained, rate: shownNativeRate } });
  growing.sort((a, b) => b.rate - a.rate);

  if (growing.length > 0) {
    const top = growing[0]!;
    describe(top.label, top.verdict);
    for (const other of growing.slice(1)) describe(other.label, other.verdict);
    if (top.kind !== 'native') describe('RSS', rss);
    return { kind: top.kind, rates, windowMs, reason: parts.join('; '), holds: true };
  }
  // RSS alone of a young process (its window reaches into its first minimum window) that rose over the window: the
  // window's shape is the warm-up's as much as the process's, either way. Its rise holds only when it holds after the
  // warm-up too, and it is told bounded only once the readings after the warm-up tell: not because the warm-up's
  // step made the whole window read "a step, then flat" while those were too few (the demo's leaky server,
  // +13 MiB/min, was `bounded` 78-92 s into its life, then a leak). Until they tell, GROWTH waits (`warmingUp`).
  const youngRise = !heap && kept !== null && startedAtMs !== undefined && kept.firstMs < startedAtMs + o.minWindowMs && rss.rate !== null && rss.rate * rss.spanMs >= o.minRssRiseBytes;
  if (youngRise) {
    const settled = afterWarmUp(inWindow, marks, startedAtMs, kept.lastMs - kept.firstMs, o);
    if (settled.state === 'flat') {
      describe('RSS', rss);
      return { kind: 'none', rates, windowMs, reason: `bounded: ${parts.join('; ')}; flat since its first ${seconds(o.minWindowMs)} (a young process warming up)`, holds: false };
    }
    if (settled.state === 'unsure') {
      describe('RSS', rss);
      const moreMs = Math.ceil(settled.moreMs ?? o.minWindowMs / 2);
      return { kind: 'unsure', rates, windowMs, reason: `${parts.join('; ')}; a young process: judged after its first ${seconds(o.minWindowMs)}${settled.note ? ` (${settled.note})` : ''}`, moreMs, holds: false, warmingUp: true };
    }
    // It rises after the warm-up: it holds when the whole window's rise holds too (below). When that did not, the
    // two disagree — the demo's leaky server "a rise that flattened" over a window that began with its warm-up, a
    // bounded control's sawtooth after its warm-up fitting a rise over 32 s — and neither is told: the wait, at
    // most until the window no longer reaches into the first minute (then the ordinary judgement).
    if (rss.state !== 'grows') {
      describe('RSS', rss);
      const moreMs = Math.ceil(startedAtMs + o.minWindowMs + o.maxWindowMs - endMs);
      return { kind: 'unsure', rates, windowMs, reason: `${parts.join('; ')}; a young process: rising after its first ${seconds(o.minWindowMs)}, not over the window`, moreMs, holds: false, warmingUp: true };
    }
  }
  if (unexplained.state === 'grows') {
    describe('RSS', rss);
    if (beyond) describe('beyond the committed heap', beyond);
    if (!heap) return { kind: 'unsure', rates, windowMs, reason: `${parts.join('; ')}; no heap figures to tell heap from native growth (attach)`, holds: true };
    describe('heap floor', heap);
    describe('external', external);
  }
  const unsure = [unexplained, heap, external, workers].filter((v): v is SeriesVerdict => v?.state === 'unsure');
  if (unsure.length > 0 || unexplained.state === 'grows') {
    if (unexplained.state !== 'grows') for (const [label, v] of [['heap floor', heap], ['external', external], ["workers' heap floor", workers], [beyond ? 'RSS beyond the committed heap' : 'RSS', unexplained]] as const) if (v?.state === 'unsure') describe(label, v);
    const more = unsure.map((v) => v.moreMs).filter((ms): ms is number => ms !== undefined);
    const moreMs = more.length > 0 ? Math.max(...more) : unexplained.state === 'grows' ? o.maxWindowMs / 2 : undefined;
    return { kind: 'unsure', rates, windowMs, reason: parts.join('; ') || 'too short to judge', ...(moreMs === undefined ? {} : { moreMs: Math.ceil(moreMs) }), holds: false };
  }
  describe('heap floor', heap);
  describe("workers' heap floor", workers);
  describe('external', external);
  describe('RSS', rss);
  if (beyond && rss.state !== 'flat') describe('beyond the committed heap', beyond);
  return { kind: 'none', rates, windowMs, reason: `bounded: ${parts.join('; ')}`, holds: false };
}

/** Seconds until the series reaches `limitBytes` at `ratePerSecond`, or null when not growing. */
export function timeToLimitSeconds(currentBytes: number, ratePerSecond: number | null, limitBytes: number): number | null {
  if (ratePerSecond === null || !(ratePerSecond > 0) || !Number.isFinite(limitBytes) || !Number.isFinite(currentBytes)) return null;
  return currentBytes >= limitBytes ? 0 : (limitBytes - currentBytes) / ratePerSecond;
}

/** `+6.1 MiB/min` from bytes per ms. */
function perMinute(ratePerMs: number): string {
  const mibPerMin = (ratePerMs * 60_000) / (1024 * 1024);
  return `${mibPerMin >= 0 ? '+' : ''}${mibPerMin.toFixed(Math.abs(mibPerMin) < 10 ? 1 : 0)} MiB/min`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
