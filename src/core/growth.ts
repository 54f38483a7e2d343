/**
 * Growth rate of a memory series: the least-squares slope of value over time, in bytes per minute.
 * A slope over a window is steadier than "last minus first", which a single GC or allocation burst swings.
 */

/** Options of `growthPerMinute`. */
export interface GrowthOptions {
  /** Only samples at most this old (relative to the newest) count. @default 120_000 */
  windowMs?: number;
  /** Fewer valid samples than this yields null. @default 5 */
  minSamples?: number;
  /** A window spanning less time than this yields null: the first seconds of a process are warm-up, not a trend. @default 10_000 */
  minSpanMs?: number;
}

/** Least-squares slope dy/dx over the pairs whose y is finite; null when fewer than two such points or all x equal. */
export function leastSquaresSlope(xs: readonly number[], ys: readonly number[]): number | null {
  let n = 0;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i]!;
    if (!Number.isFinite(y)) continue;
    n++;
    // Running means keep precision with epoch-millisecond x values.
    meanX += (xs[i]! - meanX) / n;
    meanY += (y - meanY) / n;
  }
  if (n < 2) return null;
  let covariance = 0;
  let varianceX = 0;
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i]!;
    if (!Number.isFinite(y)) continue;
    const dx = xs[i]! - meanX;
    covariance += dx * (y - meanY);
    varianceX += dx * dx;
  }
  return varianceX === 0 ? null : covariance / varianceX;
}

/** Growth in value units per minute over the newest window of `timesMs`/`values`, or null when there is too little data. */
export function growthPerMinute(timesMs: readonly number[], values: readonly number[], options: GrowthOptions = {}): number | null {
  const { windowMs = 120_000, minSamples = 5, minSpanMs = 10_000 } = options;
  if (timesMs.length === 0) return null;
  const newest = timesMs[timesMs.length - 1]!;
  let first = timesMs.length - 1;
  while (first > 0 && newest - timesMs[first - 1]! <= windowMs) first--;
  const xs = timesMs.slice(first);
  const ys = values.slice(first);
  let valid = 0;
  let oldestValid = Number.NaN;
  for (let i = 0; i < ys.length; i++) {
    if (!Number.isFinite(ys[i]!)) continue;
    if (valid === 0) oldestValid = xs[i]!;
    valid++;
  }
  if (valid < minSamples || newest - oldestValid < minSpanMs) return null;
  const slopePerMs = leastSquaresSlope(xs, ys);
  return slopePerMs === null ? null : slopePerMs * 60_000;
}
