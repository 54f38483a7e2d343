/**
 * What the monitor shows of a growth judgement: the GROWTH figure, the wait before there is one, and the LEAK? mark.
 * Pure, shared by the table, the detail view and the sort.
 */
import { formatDuration, formatRate } from '../format.js';
import type { GrowthJudgement } from './judge-growth.js';

/** The LEAK? mark: the kind of a growth that holds; `rss` when RSS grows and no heap figures tell the kind. */
export type LeakMark = 'heap' | 'off-heap' | 'native' | 'rss';

export interface ShownGrowth {
  /** The rate of what grows (the heap floor for heap growth, external for off-heap, …), else RSS; bytes per minute. */
  bytesPerMin: number | null;
  /**
   * Before the minimum window, or while a young process's warm-up is not yet told from a leak: how long until there
   * is a figure, ms; null once there is one.
   */
  waitMs: number | null;
  /** Set when the growth holds. */
  leak: LeakMark | null;
  /**
   * Judged bounded (kind `none`): the slope a GC sawtooth or a step draws is not growth, so no rate is shown for it
   * (`bounded`) and it sorts as no growth.
   */
  bounded: boolean;
}

export function shownGrowth(judged: GrowthJudgement): ShownGrowth {
  const { rates } = judged;
  const perMin = (perSecond: number | null) => (perSecond === null ? null : perSecond * 60);
  let rate = rates.rss;
  if (judged.kind === 'heap') rate = Math.max(rates.heapFloor ?? -Infinity, rates.workersHeapFloor ?? -Infinity);
  else if (judged.kind === 'off-heap') rate = rates.external;
  else if (judged.kind === 'native') rate = rates.native;
  const leak: LeakMark | null = judged.kind === 'heap' || judged.kind === 'off-heap' || judged.kind === 'native' ? judged.kind : judged.holds ? 'rss' : null;
  // A young process's RSS rate while its warm-up is not yet told from a leak (`warmingUp`) is no figure either: the
  // wait until it is told, as before the minimum window.
  const waitMs = (rate === null || judged.warmingUp === true) && judged.moreMs !== undefined ? judged.moreMs : null;
  const bounded = judged.kind === 'none' && waitMs === null;
  return { bytesPerMin: bounded ? 0 : waitMs !== null ? null : perMin(rate), waitMs, leak, bounded };
}

/**
 * The wait GROWTH shows counts down in steps of this many ms. In the monitor's first minute every process waits, so a
 * countdown by the second changed every row every second and the table repainted them all on every tick; in 5 s
 * steps a row's cell changes once per 5 s.
 */
export const WAIT_STEP_MS = 5_000;

/**
 * The GROWTH cell: `+6.10M/m`, `bounded`, or `…45s` (ASCII `..45s`) while the minimum window fills — the wait rounded
 * up to a `WAIT_STEP_MS` step, so it never says less than is left — `-` when unknown.
 */
export function growthCellText(shown: ShownGrowth, ascii: boolean): string {
  if (shown.waitMs !== null) return `${ascii ? '..' : '…'}${formatDuration(Math.ceil(shown.waitMs / WAIT_STEP_MS) * WAIT_STEP_MS)}`;
  if (shown.bounded) return 'bounded';
  return formatRate(shown.bytesPerMin);
}
