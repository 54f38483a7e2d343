import { cellWidth, displayCommand, fit, formatBytes, formatPercent, formatRate, truncate, truncateMiddle } from '../../core/format.js';
import { sparkline } from '../../core/sparkline.js';
import { urlToPath } from '../../core/alloc/shorten-url.js';
import type { Column } from '../../core/table-layout.js';
import type { Attachment, TrackedProcess } from '../../state/index.js';
import { paint } from '../paint.js';
import { useTheme, type Theme } from '../theme.js';
import { TextBlock } from './text-block.js';

/** The style of a growth rate: red and bold from the alarm level, yellow from the warning level, plain below or unknown. */
export function growthPaint(theme: Theme, growth: number | null) {
  if (growth === null) return {};
  if (growth >= theme.growthAlarmBytesPerMin) return { color: theme.growthAlarm, bold: true };
  if (growth >= theme.growthWarnBytesPerMin) return { color: theme.growthWarn };
  return {};
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
      return formatRate(row.growthBytesPerMin);
    case 'command':
      return truncateMiddle(displayCommand(row.sample.argv, row.sample.command), column.width);
  }
}

/**
 * A worker thread's cells (issue 15), on a line under its process: `└ ID` under the PID, its own heap, sparkline
 * and heap growth, and its name and script where the command goes, indented; the process's columns stay blank.
 */
function threadCellText(column: Column, row: TrackedProcess, ascii: boolean): string {
  const thread = row.thread!;
  switch (column.id) {
    case 'pid':
      return `${ascii ? '`-' : '└'} ${thread.threadId}`;
    case 'heap':
    case 'heapSpark':
    case 'growth':
      return cellText(column, row, ascii, false);
    case 'rssSpark':
      return ' '.repeat(column.width);
    case 'command': {
      // The name first, kept whole as long as it fits; then the script, cut in its middle so its file name stays
      // (dropped when too little room is left for it to say anything).
      const script = urlToPath(thread.url) || (thread.name ? '' : 'worker');
      const name = thread.name ? `  ${thread.name}` : '';
      const room = column.width - cellWidth(name) - 2;
      if (!script || room < 8) return truncate(name, column.width);
      return `${name}  ${truncateMiddle(script, room)}`;
    }
    default:
      return '';
  }
}

/** One table line. The selected row is one inverse bar; other rows colour their growth and sparklines. */
export function formatProcessRow(row: TrackedProcess, columns: readonly Column[], theme: Theme, selected: boolean, attached = false): string {
  const cells = columns.map((column) => {
    // Sparklines are exactly `width` one-cell characters already; measuring them is a frame's most costly step.
    const raw = row.thread ? threadCellText(column, row, theme.ascii) : cellText(column, row, theme.ascii, attached);
    const text = column.id === 'rssSpark' || column.id === 'heapSpark' ? raw : fit(raw, column.width, column.align);
    if (selected) return text;
    if (column.id === 'growth') return paint(text, growthPaint(theme, row.growthBytesPerMin));
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
