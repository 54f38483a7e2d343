/**
 * What a heap snapshot will cost the process it is taken of, from its heap size and Node major: for the question
 * the TUI asks, `snapshot --json`, and the room check (snapshot-room.ts).
 *
 * Each figure is a line, `fixed + perMb × heapUsed MB`, fitted per target Node major by `bench/snapshot-cost.ts`
 * (see MODELS for the run). V8's snapshot generator spends per object and per edge, not per byte, so the peak
 * depends on how many objects the heap holds, which is not known before the snapshot: the figures are those of a
 * heap of the smallest objects, an upper bound — a heap of records, strings or buffers costs a third of it or less.
 */
export interface SnapshotCost {
  /** How long the process will not answer, seconds (the full GC first, then every object written). */
  pauseSeconds: number;
  /** How far its RSS may rise at the peak, bytes (VmHWM − RSS before): an upper bound, see MODELS. */
  peakBytes: number;
  /** How much of that RSS stays afterwards while the inspector session stays open, bytes (glibc keeps it). */
  keptBytes: number;
  /** The size of the file, bytes. */
  fileBytes: number;
  /**
   * Where `peakBytes` comes from: `model`, the bench's line for a heap of the smallest objects (an upper bound), or
   * `measured`, the rise this process showed at its previous snapshot in this session (see ObservedSnapshotPeak).
   */
  basis: 'model' | 'measured';
}

/**
 * What one snapshot really cost this process: its RSS rose by `peakRiseBytes` (VmHWM after − RSS before, known only
 * when VmHWM rose during the snapshot) at `heapUsedBytes` of heap. The heap's make-up — how many objects per MB,
 * which decides the cost — changes little between snapshots of one process a few seconds apart, so the next
 * estimate follows it instead of the tiny-object bound.
 */
export interface ObservedSnapshotPeak {
  heapUsedBytes: number;
  peakRiseBytes: number;
}

/** `fixed + perMb × heapUsed MB`, in the figure's unit (seconds, or MB). */
interface Line {
  fixed: number;
  perMb: number;
}

/** The four lines of one Node major. */
interface CostModel {
  pause: Line;
  peak: Line;
  kept: Line;
  file: Line;
}

/**
 * From `node dist/bench/snapshot-cost.js` (shapes `records` and `dense`, 10 to 150 MB of heap), 2026-12-06, on this
 * project's 2-core host. The two shapes cost very differently per MB of heap: the peak rose ~7–10× heapUsed for
 * `records` and 21–29× for `dense` (one 15.5 MB heap of `{ i, s: null }` rose by 410 MB where 16 MB of records rose
 * by 154 MB, with files of the same size; dense levels off near 29× from 50 to 80 MB). Heap size cannot tell them
 * apart before the snapshot, so peak, kept and file follow the costlier shape, through the origin (its fitted lines
 * have negative intercepts, −70 to −110 MB, so this is above every measured point): a snapshot that needs less than
 * estimated costs a refusal that `--force` overrides; one that needs more gets the process OOM-killed (seen with the
 * first, `records`-fitted version of these figures). Pauses depend on the load of the host (the bench ran beside
 * other work, up to 10× slower than idle): they are set between the notes' idle figures for records (~1 s per
 * 10 MB, 52–61 s for 500 MB on Node 20) and the fastest dense runs here (~0.2 s per MB); Node 18 is slower.
 * MB = 10^6 bytes.
 */
const MODELS: Readonly<Record<number, CostModel>> = {
  18: { pause: { fixed: 0.3, perMb: 0.25 }, peak: { fixed: 0, perMb: 31 }, kept: { fixed: 0, perMb: 16 }, file: { fixed: 0, perMb: 2.1 } },
  20: { pause: { fixed: 0.3, perMb: 0.15 }, peak: { fixed: 0, perMb: 31 }, kept: { fixed: 0, perMb: 25.5 }, file: { fixed: 0, perMb: 2.2 } },
  22: { pause: { fixed: 0.3, perMb: 0.15 }, peak: { fixed: 0, perMb: 30 }, kept: { fixed: 0, perMb: 26.5 }, file: { fixed: 0, perMb: 2.2 } },
  24: { pause: { fixed: 0.3, perMb: 0.15 }, peak: { fixed: 0, perMb: 29 }, kept: { fixed: 0, perMb: 24.5 }, file: { fixed: 0, perMb: 2.0 } },
  26: { pause: { fixed: 0.3, perMb: 0.15 }, peak: { fixed: 0, perMb: 29 }, kept: { fixed: 0, perMb: 24.5 }, file: { fixed: 0, perMb: 2.0 } },
};

/** For a major not measured (older, newer, or unknown): the most expensive measured figure of each. */
const WORST: CostModel = (() => {
  const models = Object.values(MODELS);
  const worst = (pick: (m: CostModel) => Line): Line => ({ fixed: Math.max(...models.map((m) => pick(m).fixed)), perMb: Math.max(...models.map((m) => pick(m).perMb)) });
  return { pause: worst((m) => m.pause), peak: worst((m) => m.peak), kept: worst((m) => m.kept), file: worst((m) => m.file) };
})();

/** The major of `v20.20.2`, `20.20.2` or 20; null when unreadable. */
export function nodeMajor(version: string | number | null | undefined): number | null {
  if (typeof version === 'number') return Number.isInteger(version) ? version : null;
  const match = /^v?(\d+)\./.exec(version ?? '');
  return match ? Number(match[1]) : null;
}

/**
 * The cost of one snapshot of a process with `heapUsedBytes` of V8 heap, running `nodeVersion` (`v22.1.0`; the
 * inspector reports it). Without a known version, the most expensive of the measured majors.
 */
export function estimateSnapshotCost(heapUsedBytes: number, nodeVersion?: string | number | null, observed?: ObservedSnapshotPeak | null): SnapshotCost {
  const major = nodeMajor(nodeVersion);
  const model = (major !== null ? MODELS[major] : undefined) ?? WORST;
  const mb = Math.max(0, heapUsedBytes) / 1e6;
  const at = (line: Line) => line.fixed + line.perMb * mb;
  const modelPeakBytes = Math.round(at(model.peak) * 1e6);
  const modelKeptBytes = Math.round(at(model.kept) * 1e6);
  const measuredPeakBytes = observed && observed.heapUsedBytes > 0 ? peakFromObserved(observed, heapUsedBytes, model.peak.perMb) : null;
  return {
    pauseSeconds: Math.max(0.1, at(model.pause)),
    peakBytes: measuredPeakBytes ?? modelPeakBytes,
    keptBytes: measuredPeakBytes === null ? modelKeptBytes : Math.min(modelKeptBytes, measuredPeakBytes),
    fileBytes: Math.round(at(model.file) * 1e6),
    basis: measuredPeakBytes === null ? 'model' : 'measured',
  };
}

/**
 * The peak of the next snapshot from the last one's: scaled down with a smaller heap; for a larger one, the heap
 * that came since is charged at the model's tiny-object rate (a leak may be just such objects), so growth never
 * makes the estimate less careful than the model for the new part.
 */
function peakFromObserved(observed: ObservedSnapshotPeak, heapUsedBytes: number, perMbBound: number): number {
  const grownBytes = heapUsedBytes - observed.heapUsedBytes;
  if (grownBytes <= 0) return Math.round(observed.peakRiseBytes * (heapUsedBytes / observed.heapUsedBytes));
  return Math.round(observed.peakRiseBytes + grownBytes * perMbBound);
}
