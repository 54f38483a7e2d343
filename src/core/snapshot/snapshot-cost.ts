/**
 * What a heap snapshot will cost the process, from its heap size, for the question asked before taking one.
 * Measured on Node 20 (this project's issue #4): a 50 MB heap took 3.7–5.5 s and wrote 103 MiB; a 500 MB heap
 * 52–61 s and 1.05 GiB; the target is frozen throughout, and its RSS peaks near 11× its heap and mostly stays.
 */
export interface SnapshotCost {
  /** How long the process will not answer, seconds (upper end of the measurements). */
  pauseSeconds: number;
  /** How far its RSS may rise, bytes. */
  peakBytes: number;
  /** The size of the file, bytes. */
  fileBytes: number;
}

export function estimateSnapshotCost(heapUsedBytes: number): SnapshotCost {
  const mb = heapUsedBytes / 1e6;
  return { pauseSeconds: Math.max(1, mb * 0.11), peakBytes: heapUsedBytes * 11, fileBytes: heapUsedBytes * 2.2 };
}
