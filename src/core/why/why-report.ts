/**
 * What `leaktop why` reports besides the culprits: the figures behind the verdict, the limit the growth runs into,
 * what each step cost, whether glibc's arenas point at fragmentation rather than a leak, and what to do next.
 * Pure.
 */
import type { SiteGrowth } from '../alloc/allocation-sites.js';
import type { SamplingChoice } from '../alloc/sampling-interval.js';
import type { GrowthJudgement, GrowthKind } from '../growth/judge-growth.js';
import type { PathJson } from '../snapshot/retainer-paths.js';
import type { CulpritSite } from './match-sites.js';

/** What a step cost the process. */
export interface StepCost {
  /** Time its JavaScript was stopped: forced GCs, snapshots. ms. */
  pauseMs: number;
  /** Highest RSS seen during the step, bytes (VmHWM when the step set the process's record). */
  peakRssBytes: number | null;
  /** RSS the step left behind beyond the process's own growth meanwhile, bytes (null while it runs). */
  keptRssBytes: number | null;
}

/** The limit that ends the growth. */
export interface MemoryLimit {
  bytes: number;
  /** `v8-heap-limit`: V8's heap_size_limit (`--max-old-space-size`); `cgroup`: the memory cgroup's; `host`: MemTotal. */
  source: 'v8-heap-limit' | 'cgroup' | 'host';
  cgroupPath?: string;
}

/** A series at the start and the end of the watch, bytes. */
export interface Span {
  startBytes: number | null;
  endBytes: number | null;
}

type Smaps = { anonBytes: number; fileBytes: number; shmemBytes: number } | null;

/** The figures behind the verdict (`evidence` in the JSON). */
export interface WhyEvidence {
  windowMs: number;
  readings: number;
  /** Full GCs the floors were read after (the start and the end at least). */
  fullGcs: number;
  /** Of those, the ones leaktop forced; the others V8 started itself (inspector/unforced-gc.ts). */
  forcedGcs: number;
  /** Why the main thread's GC was forced, when one was. */
  unforcedUnavailable?: string;
  /** The judgement's one line. */
  reason: string;
  /** For an unsure verdict: how much longer to watch. */
  moreSeconds?: number;
  /** Bytes per second. */
  rates: GrowthJudgement['rates'];
  rss: Span;
  /** After the first and the last full GC. */
  heapFloor: Span;
  external: Span;
  arrayBuffers: Span;
  heapSpaces: Array<{ name: string; startBytes: number | null; endBytes: number }>;
  smaps: { start: Smaps; end: Smaps };
  arenas: { count: number; committedBytes: number; grownBytes: number | null } | null;
  fragmentationLikely: boolean;
  /** Step 2's interval and why (the allocation rate the watch measured); absent when no rate was asked for or found. */
  sampling?: SamplingChoice;
}

/** Arenas at or above this count: glibc made one per thread that contended for malloc (its default cap: 8 per core). */
export const MANY_ARENAS = 8;

/**
 * Native growth that sits in glibc's per-thread arenas, with many of them: the classic picture of fragmentation —
 * memory freed but kept in arenas no thread reuses — rather than a leak. A leak in the main thread grows the main
 * arena (brk, `[heap]`), which is not counted here; so do most addons called from JavaScript.
 */
export function fragmentationLikely(judgement: GrowthJudgement, arenas: WhyEvidence['arenas'], windowMs: number): boolean {
  if (judgement.kind !== 'native' || !arenas || arenas.grownBytes === null || arenas.count < MANY_ARENAS) return false;
  const nativeGrowth = (judgement.rates.native ?? 0) * (windowMs / 1000);
  return nativeGrowth > 0 && arenas.grownBytes >= 0.5 * nativeGrowth;
}

/** The next step for a person, after the report. */
export function nextStep(
  pid: number,
  verdict: GrowthKind,
  options: { fragmentation: boolean; snapshotsRan: boolean; named: boolean; /** For unsure: the window to try next, s. */ longerSeconds?: number; /** The worker that grows: the commands go to it. */ thread?: number | null },
): string {
  const thread = options.thread ? ` --thread ${options.thread}` : '';
  switch (verdict) {
    case 'heap':
    case 'off-heap': {
      const what = verdict === 'heap' ? 'objects' : 'Buffers';
      if (options.snapshotsRan && options.named) return `Bound or evict what the top path's holder keeps (e.g. an LRU with a size cap), or delete the ${what} when done; the site is where they are made.`;
      return `The sites above allocate the growth. With room for three snapshots, 'leaktop leaks --pid ${pid}${thread} --interval 30' names the class and its holder.`;
    }
    case 'native':
      if (options.fragmentation) return 'Likely fragmentation of glibc arenas, not a leak: restart with MALLOC_ARENA_MAX=2, or with jemalloc (LD_PRELOAD=libjemalloc.so.2); \'leaktop trim ' + pid + '\' shows what glibc holds free.';
      return 'Native memory grows (addons, malloc) outside what the inspector sees: restart it under heaptrack (heaptrack node app.js) or valgrind --tool=massif to get the allocating call stacks.';
    case 'none':
      return 'Nothing to chase over this window; a slow leak needs a longer one (--duration).';
    case 'unsure':
      return `Watch longer: leaktop why ${pid}${thread} --duration ${Math.max(60, Math.ceil(options.longerSeconds ?? 120))}.`;
  }
}

/* The workflow's progress and result (src/tasks/why.ts), as data: the CLI prints them, the TUI's store holds them. */

export type WhyStepName = 'watch' | 'sample' | 'snapshots' | 'report';
export const WHY_STEPS: readonly WhyStepName[] = ['watch', 'sample', 'snapshots', 'report'];

/** Where one step is. */
export interface WhyStepState {
  name: WhyStepName;
  state: 'waiting' | 'running' | 'done' | 'skipped' | 'stopped' | 'failed';
  /** What it does now, or what it found ("heap floor +6.1 MiB/min …"), or why it was skipped. */
  detail: string;
  /** Seconds left of its wait, while it waits. */
  secondsLeft: number | null;
  /** What it cost the process so far. */
  cost: StepCost;
}

/** The state of every step, sent whole on each change (a view just shows the last). */
export interface WhyProgress {
  pid: number;
  steps: WhyStepState[];
}

/** A culprit: a constructor of the leak check (with its holder paths), or from sampling alone only its site. */
export interface Culprit {
  /** The constructor, as `leaks` names it; null when known from sampling only. */
  name: string | null;
  count: number | null;
  retainedSize: number | null;
  paths: PathJson[];
  /** The allocating function, when it could be matched (see core/why/match-sites.ts). */
  site: CulpritSite | null;
}

export interface WhyResult {
  pid: number;
  /** The thread watched: null for the main thread (see the top of this file for `--thread`). */
  thread: number | null;
  verdict: GrowthKind;
  judgement: GrowthJudgement;
  evidence: WhyEvidence;
  timeToLimitSeconds: number | null;
  limit: MemoryLimit | null;
  culprits: Culprit[];
  /** The growing sites of step 2 (by function), biggest growth first; empty when it did not run. */
  sites: SiteGrowth[];
  samplingIntervalBytes: number;
  skipped: Array<{ step: WhyStepName; reason: string }>;
  /** The whole run's cost, and per step. */
  cost: StepCost;
  stepCosts: Record<Exclude<WhyStepName, 'report'>, StepCost>;
  /** The durations the run used, ms. */
  durationMs: number;
  snapshotIntervalMs: number;
}

