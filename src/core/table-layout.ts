/**
 * Which process-table columns fit a terminal width, and how wide each is. The COMMAND column takes what is left;
 * when too little is left, columns shrink and then drop in a fixed order, least useful for leak hunting first.
 */

export type ColumnId = 'pid' | 'user' | 'cpu' | 'rss' | 'rssSpark' | 'heap' | 'heapSpark' | 'growth' | 'leak' | 'command';

/** One column as laid out. */
export interface Column {
  id: ColumnId;
  /** Header text. */
  title: string;
  /** Width in terminal cells, not counting the one-cell gap after it. */
  width: number;
  align: 'left' | 'right';
}

const IDEAL: readonly Column[] = [
  { id: 'pid', title: 'PID', width: 7, align: 'right' },
  { id: 'user', title: 'USER', width: 8, align: 'left' },
  { id: 'cpu', title: 'CPU%', width: 5, align: 'right' },
  { id: 'rss', title: 'RSS', width: 6, align: 'right' },
  { id: 'rssSpark', title: 'RSS HIST', width: 12, align: 'left' },
  { id: 'heap', title: 'HEAP', width: 6, align: 'right' },
  { id: 'heapSpark', title: 'HEAP HIST', width: 12, align: 'left' },
  { id: 'growth', title: 'GROWTH', width: 8, align: 'right' },
  // The kind of a growth that holds (heap, off-heap, native, rss); only laid out when a row has one.
  { id: 'leak', title: 'LEAK?', width: 8, align: 'left' },
  { id: 'command', title: 'COMMAND', width: 0, align: 'left' },
];

/** The COMMAND column gets at least this many cells before other columns give way. */
export const MIN_COMMAND_WIDTH = 16;

/** Shrink steps, applied in order until the command column fits; width 0 drops the column. */
const SHRINK_STEPS: ReadonlyArray<readonly [ColumnId, number]> = [
  ['heapSpark', 9],
  ['rssSpark', 8],
  ['user', 6],
  ['heapSpark', 0],
  ['user', 0],
  ['rssSpark', 0],
  ['cpu', 0],
  ['heap', 0],
];

/**
 * Lays the columns out for a terminal `totalWidth` cells wide. Without any heap figures (no inspector session yet)
 * the heap sparkline would be blank, so its room goes to the command; so does the LEAK? column's while no row has a
 * growth that holds (`leakShown`).
 */
export function layoutColumns(totalWidth: number, options: { heapKnown?: boolean; leakShown?: boolean } = {}): Column[] {
  const widths = new Map<ColumnId, number>(IDEAL.map((c) => [c.id, c.width]));
  if (options.heapKnown === false) widths.set('heapSpark', 0);
  if (options.leakShown !== true) widths.set('leak', 0);
  const used = () => {
    let sum = 0;
    for (const [id, w] of widths) if (id !== 'command' && w > 0) sum += w + 1;
    return sum;
  };
  for (const [id, width] of SHRINK_STEPS) {
    if (totalWidth - used() >= MIN_COMMAND_WIDTH) break;
    widths.set(id, Math.min(widths.get(id)!, width)); // a step never brings back a column left out above
  }
  const commandWidth = Math.max(0, totalWidth - used());
  return IDEAL.filter((c) => (c.id === 'command' ? commandWidth > 0 : widths.get(c.id)! > 0)).map((c) => ({
    ...c,
    width: c.id === 'command' ? commandWidth : widths.get(c.id)!,
  }));
}
