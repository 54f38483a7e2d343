/**
 * The sampling interval from the target's allocation rate (issue 16: `why`'s steps 1–2 must cost a saturated server
 * ≤ 2 %). V8's sampler pays per sample (a stack walk, a node in its tree, a weak handle the GC visits), so what it
 * costs follows the samples per second, not the interval: 128 KiB is ~1,700 samples a second — +18 % CPU per request
 * — in a server that allocates ~200 MB/s, and nothing measurable in one that allocates 2 MB/s. So the interval is
 * the allocation rate divided by a budget of samples per second, kept between the default (finer sees nothing more
 * that a leak needs) and a ceiling at which the growth the watch saw still collects enough samples over the window
 * for its function to be named.
 *
 * The rate comes from a probe (`allocationRateOf`): the sampler run at a coarse interval with the objects the GC
 * collected kept in the profile (CDP's includeObjectsCollectedByMajorGC/MinorGC), so that its samples count every
 * allocation, not only what stays alive; the samples' ordinals (time-ordered, counted from the start) give the count
 * even where V8 ignores those flags (a lower bound then: only the newest live sample's ordinal is seen).
 */
import { DEFAULT_SAMPLING_INTERVAL_BYTES, type SamplingProfile } from './sampling-profile.js';

/**
 * Samples per second the chosen interval aims at: ~1 % of a core here (`node dist/bench/why-suspects.js` with
 * `sampler@BYTES`: the sampler's cost per sample, docs/performance.md), half the 2 % — the watch has a cost too.
 */
export const SAMPLES_PER_SECOND_BUDGET = 100;
/** The coarsest interval chosen from a rate: beyond it even a fast leak's function is seen by a few samples only. */
export const MAX_SAMPLING_INTERVAL_BYTES = 8 * 1024 * 1024;
/**
 * Samples the growth the watch saw must collect over the sampling window: the comparison of the two halves sees about
 * half of them as the site's growth, and a site that grew by a handful of samples can lose to a transient one.
 */
export const MIN_GROWTH_SAMPLES = 16;
/**
 * The probe's interval: 50 samples a second at 200 MB/s (~0.5 % of a core), yet 3 a second (60 in a 20 s watch) at
 * 13 MB/s, the lowest rate at which the budget asks for more than the default interval.
 */
export const RATE_PROBE_INTERVAL_BYTES = 4 * 1024 * 1024;
/** Chosen intervals are whole multiples of this (a readable figure; the budget is not that precise). */
const STEP_BYTES = 64 * 1024;

/** What the probe saw. */
export interface AllocationRate {
  /** Bytes allocated per second (every allocation on the V8 heap, garbage included). */
  bytesPerSecond: number;
  /** The samples behind it (its precision: ~1/√samples). */
  samples: number;
  /** True when the GC-collected samples were not kept (V8 ignored the flags): the figure is a lower bound. */
  lowerBound: boolean;
}

/**
 * The allocation rate from a probe's profile taken with the collected objects included, `intervalBytes` apart on
 * average, over `elapsedMs`. Null when the window is empty. Samples are a Poisson process with that mean, so their
 * count times the interval estimates the bytes allocated; the highest ordinal is the count since the start.
 */
export function allocationRateOf(profile: SamplingProfile, intervalBytes: number, elapsedMs: number): AllocationRate | null {
  if (!(elapsedMs > 0) || !(intervalBytes > 0)) return null;
  let highest = 0;
  for (const sample of profile.samples) highest = Math.max(highest, sample.ordinal);
  // Every sample kept: ordinals 1…n, as many samples as the highest. Fewer kept: the GC dropped the dead ones.
  const lowerBound = highest > 0 && profile.samples.length < highest * 0.9;
  return { bytesPerSecond: (highest * intervalBytes) / (elapsedMs / 1000), samples: highest, lowerBound };
}

export interface IntervalInput {
  /** The target's allocation rate, bytes/s; null when unknown (no probe, or another tool's sampler ran). */
  allocationBytesPerSecond: number | null;
  /** The growth the watch saw that the sampler must name (the heap floor's rate), bytes/s; null or ≤ 0 when none. */
  growthBytesPerSecond: number | null;
  /** The sampling window, ms (`why` compares its two halves). */
  windowMs: number;
  /** @default SAMPLES_PER_SECOND_BUDGET */
  samplesPerSecond?: number;
}

export interface IntervalChoice {
  intervalBytes: number;
  /** Which bound decided: the default (rate unknown or low), the budget, the growth's ceiling, or the hard maximum. */
  by: 'default' | 'budget' | 'growth' | 'max';
  /** The samples per second expected at the rate seen, null when the rate is unknown. */
  expectedSamplesPerSecond: number | null;
}

/**
 * The interval for a rate: rate / budget, at least the default, at most what lets the growth collect
 * MIN_GROWTH_SAMPLES over the window (the default when there is no growth to go by) and MAX_SAMPLING_INTERVAL_BYTES.
 */
export function chooseSamplingInterval(input: IntervalInput): IntervalChoice {
  const budget = input.samplesPerSecond ?? SAMPLES_PER_SECOND_BUDGET;
  const rate = input.allocationBytesPerSecond;
  const expected = (interval: number) => (rate === null ? null : rate / interval);
  if (rate === null || !(rate > 0)) return { intervalBytes: DEFAULT_SAMPLING_INTERVAL_BYTES, by: 'default', expectedSamplesPerSecond: expected(DEFAULT_SAMPLING_INTERVAL_BYTES) };
  const wanted = rate / budget;
  const growth = input.growthBytesPerSecond;
  const growthCeiling = growth !== null && growth > 0 ? (growth * (input.windowMs / 1000)) / MIN_GROWTH_SAMPLES : 0;
  const ceiling = Math.min(MAX_SAMPLING_INTERVAL_BYTES, Math.max(DEFAULT_SAMPLING_INTERVAL_BYTES, growthCeiling));
  let by: IntervalChoice['by'];
  let bytes: number;
  if (wanted <= DEFAULT_SAMPLING_INTERVAL_BYTES) [bytes, by] = [DEFAULT_SAMPLING_INTERVAL_BYTES, 'default'];
  else if (wanted <= ceiling) [bytes, by] = [wanted, 'budget'];
  else [bytes, by] = [ceiling, ceiling === MAX_SAMPLING_INTERVAL_BYTES ? 'max' : ceiling === DEFAULT_SAMPLING_INTERVAL_BYTES ? 'default' : 'growth'];
  const intervalBytes = Math.max(DEFAULT_SAMPLING_INTERVAL_BYTES, Math.floor(bytes / STEP_BYTES) * STEP_BYTES);
  return { intervalBytes, by, expectedSamplesPerSecond: expected(intervalBytes) };
}

/** One line for the report: the interval and why (the rate seen, the bound that decided). */
export function describeIntervalChoice(choice: IntervalChoice, allocationBytesPerSecond: number | null, lowerBound = false): string {
  const interval = formatBytes(choice.intervalBytes);
  if (allocationBytesPerSecond === null) return `every ${interval}: the default (allocation rate not measured)`;
  const rate = `${lowerBound ? '≥ ' : ''}${formatBytes(allocationBytesPerSecond)}/s allocated`;
  const perSecond = choice.expectedSamplesPerSecond === null ? '' : `, ~${Math.round(choice.expectedSamplesPerSecond)} samples/s`;
  switch (choice.by) {
    case 'default':
      return `every ${interval}: the default (${rate}${perSecond})`;
    case 'budget':
      return `every ${interval}: ${rate}, for ≤ ${SAMPLES_PER_SECOND_BUDGET} samples/s`;
    case 'growth':
      return `every ${interval}: ${rate}${perSecond}; no coarser, so that the growth seen gets ≥ ${MIN_GROWTH_SAMPLES} samples in the window`;
    case 'max':
      return `every ${interval}: ${rate}${perSecond}; the coarsest leaktop chooses`;
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  return `${+(bytes / 1024).toFixed(0)} KiB`;
}

/** The interval a run used and why: what `why` reports (its JSON's `evidence.sampling`) and `alloc` says. */
export interface SamplingChoice {
  intervalBytes: number;
  /** `option`: given (`--interval`, samplingIntervalBytes); otherwise the bound of chooseSamplingInterval that decided. */
  chosenBy: 'option' | IntervalChoice['by'];
  /** The allocation rate the probe saw, bytes/s; null when not measured. */
  allocationBytesPerSecond: number | null;
  /** True when that rate is a lower bound (V8 dropped the collected samples). */
  lowerBound: boolean;
  /** The growth rate the ceiling went by, bytes/s. */
  growthBytesPerSecond: number | null;
  /** The line for a person. */
  reason: string;
}

/**
 * The whole choice: `explicit` wins; otherwise chooseSamplingInterval on the probe's rate. `unmeasured` says why there
 * is no rate (another tool's sampler, another isolate) when `rate` is null.
 */
export function samplingChoice(input: { explicit?: number; rate: AllocationRate | null; growthBytesPerSecond: number | null; windowMs: number; unmeasured?: string }): SamplingChoice {
  const allocationBytesPerSecond = input.rate ? Math.round(input.rate.bytesPerSecond) : null;
  const lowerBound = input.rate?.lowerBound ?? false;
  const base = { allocationBytesPerSecond, lowerBound, growthBytesPerSecond: input.growthBytesPerSecond };
  if (input.explicit !== undefined) {
    const rate = allocationBytesPerSecond === null ? '' : ` (${lowerBound ? '≥ ' : ''}${formatBytes(allocationBytesPerSecond)}/s allocated)`;
    return { intervalBytes: input.explicit, chosenBy: 'option', ...base, reason: `every ${formatBytes(input.explicit)}: as asked${rate}` };
  }
  const choice = chooseSamplingInterval({ allocationBytesPerSecond, growthBytesPerSecond: input.growthBytesPerSecond, windowMs: input.windowMs });
  const reason = allocationBytesPerSecond === null && input.unmeasured ? `every ${formatBytes(choice.intervalBytes)}: the default (allocation rate not measured: ${input.unmeasured})` : describeIntervalChoice(choice, allocationBytesPerSecond, lowerBound);
  return { intervalBytes: choice.intervalBytes, chosenBy: choice.by, ...base, reason };
}
