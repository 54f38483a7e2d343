import { placeLabel } from '../../core/container-of-cgroup.js';
import { cellWidth, fit, formatBytes, formatPercent, truncate, truncateMiddle } from '../../core/format.js';
import { useRef } from 'react';
import { growthCellText, type ShownGrowth } from '../../core/growth/shown-growth.js';
import { shortenCommands } from '../../core/shorten-commands.js';
import { sparkline } from '../../core/sparkline.js';
import { urlToPath } from '../../core/alloc/shorten-url.js';
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

function cellText(column: Column, row: TrackedProcess, ascii: boolean, attached: boolean, command: string | undefined): string {
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
      return growthCellText(row.shownGrowth, ascii);
    case 'leak':
      return row.shownGrowth.leak ?? '';
    case 'container':
      return placeLabel(row.sample, column.width) ?? '';
    case 'command':
      return command ?? shortenCommands([row.sample], column.width)[0]!;
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
      return cellText(column, row, ascii, false, undefined);
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

/**
 * One table line. The selected row is one inverse bar; other rows colour their growth and sparklines. `command` is
 * the row's command as shortened together with the other rows (`shortenCommands`); without it, on its own.
 */
export function formatProcessRow(row: TrackedProcess, columns: readonly Column[], theme: Theme, selected: boolean, attached = false, command?: string): string {
  const cells = columns.map((column) => {
    // Sparklines are exactly `width` one-cell characters already; measuring them is a frame's most costly step.
    const raw = row.thread ? threadCellText(column, row, theme.ascii) : cellText(column, row, theme.ascii, attached, command);
    const text = column.id === 'rssSpark' || column.id === 'heapSpark' ? raw : fit(raw, column.width, column.align);
    if (selected) return text;
    if (column.id === 'growth') return paint(text, growthPaint(theme, row.shownGrowth));
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

/** A shortening of the rows' commands, kept by the table that made it. */
interface Shortened {
  width: number;
  argvs: ReadonlyArray<readonly string[]>;
  commands: string[];
}

/**
 * The rows' commands shortened together, the last shortening reused while the rows' command lines and the width
 * stay (most frames: only figures change). Kept per table (a ref), not in the module.
 */
function useShortenedCommands(rows: readonly TrackedProcess[], width: number): string[] {
  const last = useRef<Shortened | null>(null);
  const kept = last.current;
  // A process's argv is read once (at identification), so the same array means the same command line.
  const same = kept !== null && kept.width === width && kept.argvs.length === rows.length && rows.every((r, i) => r.sample.argv === kept.argvs[i]);
  if (same) return kept.commands;
  last.current = { width, argvs: rows.map((r) => r.sample.argv), commands: shortenCommands(rows.map((r) => r.sample), width) };
  return last.current.commands;
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
  // Shortened over every row that matches, not only the visible ones, so scrolling does not change how lines read.
  const commandWidth = columns.find((c) => c.id === 'command')?.width ?? 0;
  const commands = useShortenedCommands(rows, commandWidth);
  visible.forEach((row, i) => lines.push(formatProcessRow(row, columns, theme, row.key === selectedKey, attachments?.has(row.key) ?? false, commands[top + i])));
  return <TextBlock lines={lines} width={width} />;
}

/** The widest CONTAINER label among `rows`, for the layout; 0 when none has a place (the column is left out). */
export function widestPlaceLabel(rows: readonly TrackedProcess[]): number {
  let widest = 0;
  for (const row of rows) widest = Math.max(widest, placeLabel(row.sample)?.length ?? 0);
  return widest;
}
