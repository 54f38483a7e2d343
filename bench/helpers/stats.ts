/** Summary of a set of timings. All figures keep the unit of the input (the callers pass milliseconds). */
export interface Summary {
  count: number;
  mean: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

/**
 * Mean, median and nearest-rank p95. Nearest rank (no interpolation) so that p95 is always a value that was
 * actually observed: with 50 samples it is the 48th smallest.
 */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (rank: number) => sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
  return {
    count: sorted.length,
    mean: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
    median,
    p95: at(Math.ceil(0.95 * sorted.length) - 1),
    min: at(0),
    max: at(sorted.length - 1),
  };
}
