/**
 * Which process-table columns fit a terminal width, and how wide each is. The COMMAND column takes what is left;
 * when too little is left, columns shrink and then drop in a fixed order, least useful for leak hunting first.
 */

export type ColumnId = 'pid' | 'user' | 'cpu' | 'rss' | 'rssSpark' | 'heap' | 'heapSpark' | 'growth' | 'leak' | 'container' | 'command';

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
  // Where the process lives (`docker:1a2b3c4d5e6f`, `pod:5d1b2c3e`, `web.service`); only when some row has a place.
  { id: 'container', title: 'CONTAINER', width: 0, align: 'left' },
  { id: 'command', title: 'COMMAND', width: 0, align: 'left' },
];

/** The COMMAND column gets at least this many cells before other columns give way. */
export const MIN_COMMAND_WIDTH = 16;

/** The CONTAINER column at its narrowest still shows a whole short container id (12 hex, as `docker ps`). */
export const NARROW_CONTAINER_WIDTH = 12;
/** Wider labels (long unit names) are cut there. */
const MAX_CONTAINER_WIDTH = 20;

/**
 * Shrink steps, applied in order until the command column fits; width 0 drops the column. Where processes run in
 * containers, the container goes after USER and the heap sparkline: on a host of containers, which one a row is
 * matters more than the user (mostly root or 1000 in every container) and the HEAP figure and GROWTH stay.
 */
const SHRINK_STEPS: ReadonlyArray<readonly [ColumnId, number]> = [
  ['heapSpark', 9],
  ['rssSpark', 8],
  ['user', 6],
  ['container', NARROW_CONTAINER_WIDTH],
  ['heapSpark', 0],
  ['user', 0],
  // With a LEAK? column too, the RSS sparkline gives way before the container: which container leaks is the news.
  ['rssSpark', 0],
  ['container', 0],
  ['cpu', 0],
  ['heap', 0],
];

/**
 * Lays the columns out for a terminal `totalWidth` cells wide. Without any heap figures (no inspector session yet)
 * the heap sparkline would be blank, so its room goes to the command; so does the LEAK? column's while no row has a
 * growth that holds (`leakShown`). `placeWidth` is the widest CONTAINER label of the rows (0 or absent: no row has a
 * place, no column).
 */
export function layoutColumns(totalWidth: number, options: { heapKnown?: boolean; leakShown?: boolean; placeWidth?: number } = {}): Column[] {
  const widths = new Map<ColumnId, number>(IDEAL.map((c) => [c.id, c.width]));
  if (options.heapKnown === false) widths.set('heapSpark', 0);
  if (options.leakShown !== true) widths.set('leak', 0);
  const placeWidth = options.placeWidth ?? 0;
  widths.set('container', placeWidth > 0 ? Math.min(MAX_CONTAINER_WIDTH, Math.max('CONTAINER'.length, placeWidth)) : 0);
  const used = () => {
    let sum = 0;
    for (const [id, w] of widths) if (id !== 'command' && w > 0) sum += w + 1;
    return sum;
  };
  for (const [id, width] of SHRINK_STEPS) {
    if (totalWidth - used() >= MIN_COMMAND_WIDTH) break;
    // A step only ever narrows: it never brings back a column left out (the heap sparkline without heap figures).
    widths.set(id, Math.min(widths.get(id)!, width));
  }
  const commandWidth = Math.max(0, totalWidth - used());
  return IDEAL.filter((c) => (c.id === 'command' ? commandWidth > 0 : widths.get(c.id)! > 0)).map((c) => ({
    ...c,
    width: c.id === 'command' ? commandWidth : widths.get(c.id)!,
  }));
}
