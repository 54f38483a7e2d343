/**
 * `indices` ordered by `keys[index]`, by a least-significant-digit radix sort: linear in the count, where a
 * comparator sort of millions of indices costs seconds. Digits are at most 11 bits, so the counting table (8 KiB)
 * stays in the L1 cache, and there are only as many passes as the largest key needs (2 for up to 4 M, 3 beyond).
 * Stable, so equal keys keep their order.
 */
export function sortByKey(indices: Uint32Array, keys: Uint32Array): Uint32Array {
  let max = 0;
  for (let i = 0; i < indices.length; i++) max = Math.max(max, keys[indices[i]!]!);
  const bits = max === 0 ? 0 : 32 - Math.clz32(max);
  const passes = Math.ceil(bits / 11);
  if (passes === 0) return indices;
  const digitBits = Math.ceil(bits / passes);
  const mask = (1 << digitBits) - 1;
  let from: Uint32Array = indices;
  let to: Uint32Array = new Uint32Array(indices.length);
  const counts = new Uint32Array(mask + 2);
  for (let pass = 0, shift = 0; pass < passes; pass++, shift += digitBits) {
    counts.fill(0);
    for (let i = 0; i < from.length; i++) counts[((keys[from[i]!]! >>> shift) & mask) + 1]!++;
    for (let d = 1; d < counts.length; d++) counts[d]! += counts[d - 1]!;
    for (let i = 0; i < from.length; i++) {
      const index = from[i]!;
      to[counts[(keys[index]! >>> shift) & mask]!++] = index;
    }
    [from, to] = [to, from];
  }
  return from;
}

/** Whether `sorted` (ascending) holds `value`: a binary search. */
export function sortedIncludes(sorted: Uint32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = sorted[mid]!;
    if (at === value) return true;
    if (at < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
