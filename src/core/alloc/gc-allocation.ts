/**
 * The allocation rate from a tally of GCs (inspector/unforced-gc.ts GcTally): between two GCs the heap only grows, by
 * what the process allocated, so the bytes allocated over a window are the sum of every rise between consecutive GCs,
 * heap-used before GC n minus heap-used after GC n−1, from the floor that opened the window to the full GC that closed
 * it. Every allocation on the V8 heap counts, garbage included, as the sampler's probe counts them (sampling-interval.ts)
 * — without the sampler, whose read V8 turns into a forced full GC.
 */
import type { AllocationRate } from './sampling-interval.js';

/** One GC of the tally: the heap used just before and just after it, bytes. */
export interface GcHeapChange {
  type: string;
  beforeBytes: number;
  afterBytes: number;
}

/**
 * Bytes allocated from a floor (`startUsedBytes`, the heap used after the GC that opened the window) to the last
 * full GC (`MarkSweepCompact`) of `gcs` — the one that closed it; GCs after it are left out. Null without any full
 * GC. A rise can only be negative when a GC fell between two reads of the tally (missed): counted as none.
 */
export function allocatedBetweenFloors(startUsedBytes: number, gcs: readonly GcHeapChange[]): { bytes: number; gcs: number } | null {
  let end = -1;
  for (let i = 0; i < gcs.length; i++) if (gcs[i]!.type === 'MarkSweepCompact') end = i;
  if (end < 0) return null;
  let bytes = 0;
  let previousAfter = startUsedBytes;
  for (let i = 0; i <= end; i++) {
    bytes += Math.max(0, gcs[i]!.beforeBytes - previousAfter);
    previousAfter = gcs[i]!.afterBytes;
  }
  return { bytes, gcs: end + 1 };
}

/**
 * The rate over `elapsedMs` from that, as the probe's AllocationRate: `samples` is the GCs it rests on (each one
 * a whole young generation's worth of allocation, so a handful already makes a rate), never a lower bound.
 */
export function allocationRateFromGcs(startUsedBytes: number, gcs: readonly GcHeapChange[], elapsedMs: number): AllocationRate | null {
  const allocated = allocatedBetweenFloors(startUsedBytes, gcs);
  if (!allocated || !(elapsedMs > 0)) return null;
  return { bytesPerSecond: allocated.bytes / (elapsedMs / 1000), samples: allocated.gcs, lowerBound: false };
}
