/**
 * Robust trend figures of a memory series. Theil–Sen (the median of the slopes between every two points) rather
 * than least squares: one step or one outlier moves a least-squares line across the whole window, while it moves
 * the median of the pairwise slopes only when it is behind most of the pairs.
 */

/** One value at one time: ms, bytes. */
export interface Point {
  t: number;
  v: number;
}

/**
 * Points fitted at most: the pairs grow with the square, and the monitor fits every process on every tick (150
 * points: 11 175 pairs, well under a millisecond). Two minutes at one reading a second fit whole.
 */
const MAX_FIT_POINTS = 150;

/** Median of the values (mean of the middle two for an even count); NaN for none. Does not modify its input. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Evenly spaced points of `points`, at most `max`, first and last kept. */
function thin(points: readonly Point[], max: number): readonly Point[] {
  if (points.length <= max) return points;
  const kept: Point[] = [];
  for (let i = 0; i < max; i++) kept.push(points[Math.round((i * (points.length - 1)) / (max - 1))]!);
  return kept;
}

/** Theil–Sen slope in value units per ms; null with fewer than two points at distinct times. */
export function theilSenSlope(points: readonly Point[]): number | null {
  const fitted = thin(points, MAX_FIT_POINTS);
  const slopes: number[] = [];
  for (let i = 0; i < fitted.length; i++) {
    for (let j = i + 1; j < fitted.length; j++) {
      const dt = fitted[j]!.t - fitted[i]!.t;
      if (dt !== 0) slopes.push((fitted[j]!.v - fitted[i]!.v) / dt);
    }
  }
  return slopes.length === 0 ? null : median(slopes);
}

/**
 * Share of the variance the line of `slope` explains (R², 0…1), its intercept the median of v − slope·t; null when
 * the values do not vary. Said with the rate, so a reader sees how straight the rise is.
 */
export function fitQuality(points: readonly Point[], slope: number): number | null {
  if (points.length < 3) return null;
  const t0 = points[0]!.t;
  const intercept = median(points.map((p) => p.v - slope * (p.t - t0)));
  let mean = 0;
  for (const p of points) mean += p.v / points.length;
  let total = 0;
  let residual = 0;
  for (const p of points) {
    total += (p.v - mean) ** 2;
    residual += (p.v - (intercept + slope * (p.t - t0))) ** 2;
  }
  if (total === 0) return null;
  return Math.min(1, Math.max(0, 1 - residual / total));
}
