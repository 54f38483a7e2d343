import { displayCommand, fit, formatBytes, formatPercent, truncateMiddle } from '../../core/format.js';
import { growthCellText, shownGrowth, type ShownGrowth } from '../../core/growth/shown-growth.js';
import { sparkline } from '../../core/sparkline.js';
import type { Column } from '../../core/table-layout.js';
import type { Attachment, TrackedProcess } from '../../state/index.js';
import { paint } from '../paint.js';
import { useTheme, type Theme } from '../theme.js';
import { TextBlock } from './text-block.js';

/**
 * The style of a growth figure: coloured only when the growth holds (a LEAK? row) — red and bold from the alarm
 * level, yellow below it. A rise that does not hold (a GC sawtooth, one step) is no alarm, however steep; the wait
 * before the minimum window is dim.
 */
export function growthPaint(theme: Theme, shown: ShownGrowth) {
  if (shown.waitMs !== null) return { dim: true };
  if (shown.leak === null || shown.bytesPerMin === null) return {};
  return shown.bytesPerMin >= theme.growthAlarmBytesPerMin ? { color: theme.growthAlarm, bold: true } : { color: theme.growthWarn };
}

function cellText(column: Column, row: TrackedProcess, ascii: boolean, attached: boolean): string {
  switch (column.id) {
    case 'pid':
      // `*`: an inspector session is open on it.
      return `${attached ? '*' : ''}${row.sample.pid}`;
    case 'user':
      return row.sample.user;
    case 'cpu':
      return formatPercent(row.sample.cpuPercent);
    case 'rss':
      return formatBytes(row.sample.rssBytes);
    case 'rssSpark':
      return sparkline(row.rssBytes.values(column.width), column.width, { ascii });
    case 'heap':
      return formatBytes(row.heapUsedBytes.last());
    case 'heapSpark':
      return sparkline(row.heapUsedBytes.values(column.width), column.width, { ascii });
    case 'growth':
      return growthCellText(shownGrowth(row.growth), ascii);
    case 'leak':
      return shownGrowth(row.growth).leak ?? '';
    case 'command':
      return truncateMiddle(displayCommand(row.sample.argv, row.sample.command), column.width);
  }
}

/** One table line. The selected row is one inverse bar; other rows colour their growth and sparklines. */
export function formatProcessRow(row: TrackedProcess, columns: readonly Column[], theme: Theme, selected: boolean, attached = false): string {
  const cells = columns.map((column) => {
    // Sparklines are exactly `width` one-cell characters already; measuring them is a frame's most costly step.
    const raw = cellText(column, row, theme.ascii, attached);
    const text = column.id === 'rssSpark' || column.id === 'heapSpark' ? raw : fit(raw, column.width, column.align);
    if (selected) return text;
    if (column.id === 'growth') return paint(text, growthPaint(theme, shownGrowth(row.growth)));
    if (column.id === 'leak') return paint(text, { color: theme.growthAlarm, bold: true });
    if (column.id === 'rssSpark') return paint(text, { color: theme.rss });
    if (column.id === 'heapSpark') return paint(text, { color: theme.heap });
    return text;
  });
  const line = cells.join(' ');
  return selected ? paint(line, { inverse: true }) : line;
}

/** The column titles, with an arrow on the sort column. */
export function formatTableHeader(columns: readonly Column[], theme: Theme, sortColumn: Column['id'], descending: boolean): string {
  const arrow = theme.ascii ? (descending ? 'v' : '^') : descending ? '▼' : '▲';
  const titles = columns.map((c) => {
    const title = c.id === sortColumn ? (c.align === 'right' ? arrow + c.title : c.title + arrow) : c.title;
    return fit(title, c.width, c.align);
  });
  return paint(titles.join(' '), { bold: true, color: theme.accent });
}

export interface ProcessTableProps {
  /** Rows already filtered and sorted. */
  rows: readonly TrackedProcess[];
  columns: readonly Column[];
  selectedKey: string | null;
  /** Index of the first visible row. */
  top: number;
  /** Rows that fit under the header line. */
  height: number;
  /** The column the rows are sorted by, marked in the header. */
  sortColumn: Column['id'];
  descending: boolean;
  width: number;
  /** Inspector sessions by process key, to mark attached rows. */
  attachments?: ReadonlyMap<string, Attachment>;
}

/** The process list: a header line and one line per visible row. Draws only; keys live in use-table-keys. */
export function ProcessTable({ rows, columns, selectedKey, top, height, sortColumn, descending, width, attachments }: ProcessTableProps) {
  const theme = useTheme();
  const lines = [formatTableHeader(columns, theme, sortColumn, descending)];
  const visible = rows.slice(top, top + height);
  if (visible.length === 0) lines.push(paint('No Node.js processes match.', { dim: true }));
  for (const row of visible) lines.push(formatProcessRow(row, columns, theme, row.key === selectedKey, attachments?.has(row.key) ?? false));
  return <TextBlock lines={lines} width={width} />;
}
