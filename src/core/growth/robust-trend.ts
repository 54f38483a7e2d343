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
 * Points fitted at most (evenly thinned beyond): the pairs grow with the square, and a fit's cost is the median of
 * its pairwise slopes. 64 points: 2016 pairs (2.5 ms a judgement with 150 points).
 */
const MAX_FIT_POINTS = 64;

/**
 * Median of the values (mean of the middle two for an even count); NaN for none. Does not modify its input.
 * Found by selection (quickselect, O(n)) rather than by sorting: the same value, at a third of the cost of sorting
 * the 2016 slopes of a fit, the growth judgement's largest cost.
 */
export function median(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const a = Float64Array.from(values);
  // A NaN has no place in a selection; a sort puts it last, as before.
  for (let i = 0; i < n; i++) if (Number.isNaN(a[i]!)) return sortedMedian(a);
  const mid = n >> 1;
  const upper = select(a, mid);
  if (n % 2 === 1) return upper;
  // After the selection every value before `mid` is at most a[mid]: the lower middle value is the largest of them.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + upper) / 2;
}

function sortedMedian(a: Float64Array): number {
  const sorted = a.sort(); // numeric, and several times faster than Array#sort with a comparator
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The value that would be at index `k` were `a` sorted, rearranging `a` so that the values before `k` are at most
 * it (Hoare's quickselect, median-of-three pivot: equal values, as a flat series' slopes are, split evenly).
 */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const x = a[lo]!;
    const y = a[(lo + hi) >> 1]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const swap = a[i]!;
        a[i] = a[j]!;
        a[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
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
