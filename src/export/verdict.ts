import type { Verdict } from '../core/exported-metrics.js';
import type { TrackedProcess } from '../state/index.js';

/** Options of the verdict: the growth judgement's window (see src/core/growth/judge-growth.ts). */
export interface VerdictOptions {
  /** The shortest span judged, ms; undefined: the judgement's default. */
  minWindowMs?: number;
}

/**
 * The growth judgement of one tracked process, from the store's series. Seam: null until the growth judgement
 * (src/core/growth/judge-growth.ts, branch growth) is merged; the exporter then leaves the verdict series out.
 */
export function judgeTracked(_tracked: TrackedProcess, _attachedAtMs: number | undefined, _options: VerdictOptions): Verdict | null {
  return null;
}
