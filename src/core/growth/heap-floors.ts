import type { Point } from './robust-trend.js';

/**
 * The post-GC floor of a heap-like series (heapUsed, external): the troughs of its sawtooth. Those figures only fall
 * when a GC frees something, so every fall is a GC, and the reading where a fall ends (the next one is not lower)
 * is what that GC left: live data plus garbage it did not reach. The pre-GC peaks are allocation rate, not growth;
 * a fit through them reads a churning process as a leak (24.5 MiB/min on a bounded control in 20 s).
 *
 * A series that never falls freed nothing over its span: then every reading is kept memory, and the floor is the
 * series itself. `drops` says which case it was (0: no GC seen).
 */
export function heapFloors(points: readonly Point[]): { floors: Point[]; drops: number } {
  const troughs: Point[] = [];
  for (let i = 1; i < points.length; i++) {
    const falls = points[i]!.v < points[i - 1]!.v;
    const next = points[i + 1];
    if (falls && (next === undefined || next.v >= points[i]!.v)) troughs.push(points[i]!);
  }
  return troughs.length === 0 ? { floors: [...points], drops: 0 } : { floors: troughs, drops: troughs.length };
}
