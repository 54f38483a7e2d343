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
 * Scratch space of the fits, reused from call to call (the judgement runs on one thread and none of these calls
 * another): the pairwise slopes of a fit were the largest garbage of a tick (a `number[]` of up to 2016 grown by
 * pushes, then copied for the selection), and the thinned points and the values of a median the next.
 */
const slopes = new Float64Array((MAX_FIT_POINTS * (MAX_FIT_POINTS - 1)) / 2);
const fitT = new Float64Array(MAX_FIT_POINTS);
const fitV = new Float64Array(MAX_FIT_POINTS);
let scratch = new Float64Array(256);

/** The scratch array, grown to hold `n` values at least; its contents are the caller's to write. */
function scratchFor(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/**
 * Median of the values (mean of the middle two for an even count); NaN for none. Does not modify its input.
 * Found by selection (quickselect, O(n)) rather than by sorting: the same value, at a third of the cost of sorting
 * the 2016 slopes of a fit, the growth judgement's largest cost.
 */
export function median(values: readonly number[]): number {
  const n = values.length;
  const a = scratchFor(n);
  for (let i = 0; i < n; i++) a[i] = values[i]!;
  return medianInPlace(a, n);
}

/**
 * The median of the first `n` values of `a`, rearranging them (see `median`); the fits call it on their scratch
 * arrays, so nothing is copied.
 */
export function medianInPlace(a: Float64Array, n: number): number {
  if (n === 0) return Number.NaN;
  // A NaN has no place in a selection; a sort puts it last, as before.
  for (let i = 0; i < n; i++) if (Number.isNaN(a[i]!)) return sortedMedian(a.subarray(0, n));
  const mid = n >> 1;
  const upper = select(a, n, mid);
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
 * The value that would be at index `k` were the first `n` values of `a` sorted, rearranging them so that the values
 * before `k` are at most it (Hoare's quickselect, median-of-three pivot: equal values, as a flat series' slopes are,
 * split evenly).
 */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
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

/**
 * Theil–Sen slope in value units per ms; null with fewer than two points at distinct times. Over
 * `points[from..to)` when given (the whole array by default), so that a part of a window is fitted without a copy.
 * Beyond `MAX_FIT_POINTS` the points are evenly thinned, the first and last kept.
 */
export function theilSenSlope(points: readonly Point[], from = 0, to = points.length): number | null {
  const length = to - from;
  const kept = Math.min(length, MAX_FIT_POINTS);
  for (let i = 0; i < kept; i++) {
    const p = points[length <= MAX_FIT_POINTS ? from + i : from + Math.round((i * (length - 1)) / (MAX_FIT_POINTS - 1))]!;
    fitT[i] = p.t;
    fitV[i] = p.v;
  }
  let n = 0;
  for (let i = 0; i < kept; i++) {
    for (let j = i + 1; j < kept; j++) {
      const dt = fitT[j]! - fitT[i]!;
      if (dt !== 0) slopes[n++] = (fitV[j]! - fitV[i]!) / dt;
    }
  }
  return n === 0 ? null : medianInPlace(slopes, n);
}

/** The median of the values of `points[from..to)` (see `median`), without a copy of them. */
export function medianValue(points: readonly Point[], from = 0, to = points.length): number {
  const n = Math.max(0, to - from);
  const a = scratchFor(n);
  for (let i = 0; i < n; i++) a[i] = points[from + i]!.v;
  return medianInPlace(a, n);
}

/** True when the points' times never decrease (and none is NaN), so that a span of time is a range of indices. */
export function inTimeOrder(points: readonly Point[]): boolean {
  if (points.length === 1 && Number.isNaN(points[0]!.t)) return false;
  for (let i = 1; i < points.length; i++) if (!(points[i]!.t >= points[i - 1]!.t)) return false;
  return true;
}

/** The index of the first point at or after `t` in points in time order (`points.length` when none). */
export function firstAtOrAfter(points: readonly Point[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (points[m]!.t < t) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/**
 * Share of the variance the line of `slope` explains (R², 0…1), its intercept the median of v − slope·t; null when
 * the values do not vary. Said with the rate, so a reader sees how straight the rise is.
 */
export function fitQuality(points: readonly Point[], slope: number): number | null {
  if (points.length < 3) return null;
  const t0 = points[0]!.t;
  const offsets = scratchFor(points.length);
  for (let i = 0; i < points.length; i++) offsets[i] = points[i]!.v - slope * (points[i]!.t - t0);
  const intercept = medianInPlace(offsets, points.length);
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
