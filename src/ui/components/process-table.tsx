import { placeLabel } from '../../core/container-of-cgroup.js';
import { cellWidth, fit, formatBytes, formatPercent, truncate, truncateMiddle } from '../../core/format.js';
import { useMemo, useRef } from 'react';
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

/** A row's cells as text, before they are fitted to their columns and painted. */
function rawCells(row: TrackedProcess, columns: readonly Column[], ascii: boolean, attached: boolean, command: string | undefined): string[] {
  return columns.map((column) => (row.thread ? threadCellText(column, row, ascii) : cellText(column, row, ascii, attached, command)));
}

/** The raw cells fitted to their columns, painted, joined: the line. */
function paintRow(raw: readonly string[], row: TrackedProcess, columns: readonly Column[], theme: Theme, selected: boolean): string {
  const cells = columns.map((column, i) => {
    // Sparklines are exactly `width` one-cell characters already; measuring them is a frame's most costly step.
    const text = column.id === 'rssSpark' || column.id === 'heapSpark' ? raw[i]! : fit(raw[i]!, column.width, column.align);
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

/**
 * One table line. The selected row is one inverse bar; other rows colour their growth and sparklines. `command` is
 * the row's command as shortened together with the other rows (`shortenCommands`); without it, on its own.
 */
export function formatProcessRow(row: TrackedProcess, columns: readonly Column[], theme: Theme, selected: boolean, attached = false, command?: string): string {
  return paintRow(rawCells(row, columns, theme.ascii, attached, command), row, columns, theme, selected);
}

/** A row's line as last drawn, and what it was drawn from: the raw cells and how the row was painted. */
interface DrawnRow {
  raw: string[];
  /** The layout, selection and growth colour it was painted with (see `paintKey`). */
  paint: string;
  line: string;
}

/** What a row's painting depends on besides its raw cells: the columns' layout, the selection, the growth colour. */
function paintKey(layout: string, theme: Theme, row: TrackedProcess, selected: boolean): string {
  if (selected) return `${layout}|s`;
  const growth = growthPaint(theme, row.shownGrowth);
  return `${layout}|${growth.dim ? 'd' : ''}${growth.bold ? 'b' : ''}${growth.color ?? ''}`;
}

/**
 * The visible rows' lines, each one painted again only when its raw cells or its painting changed: at a 1 s
 * interval most rows of an idle host show the same text tick after tick, and fitting and painting their cells was
 * most of the table's cost. Kept per table (a ref), for the rows drawn last (so it holds a screenful at most).
 */
function useRowLines(): (row: TrackedProcess, columns: readonly Column[], layout: string, theme: Theme, selected: boolean, attached: boolean, command: string | undefined) => string {
  const drawn = useRef<{ theme: Theme | null; last: Map<string, DrawnRow>; next: Map<string, DrawnRow> }>({ theme: null, last: new Map(), next: new Map() });
  const cache = drawn.current;
  // The rows drawn by the previous render become the ones to reuse; those not drawn again are let go.
  [cache.last, cache.next] = [cache.next, cache.last];
  cache.next.clear();
  return (row, columns, layout, theme, selected, attached, command) => {
    if (cache.theme !== theme) {
      cache.theme = theme;
      cache.last.clear();
    }
    const raw = rawCells(row, columns, theme.ascii, attached, command);
    const key = paintKey(layout, theme, row, selected);
    const before = cache.last.get(row.key);
    const same = before !== undefined && before.paint === key && before.raw.length === raw.length && before.raw.every((text, i) => text === raw[i]);
    const kept = same ? before : { raw, paint: key, line: paintRow(raw, row, columns, theme, selected) };
    cache.next.set(row.key, kept);
    return kept.line;
  };
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

/** A shortening of the rows' commands, kept by the table that made it: each row's command by its argv. */
interface Shortened {
  width: number;
  /** `seenAt`: the last lookup that met this argv (so rows sharing one argv count once). */
  byArgv: Map<readonly string[], { command: string; seenAt: number }>;
  lookups: number;
}

/**
 * The rows' commands shortened together, the last shortening reused while the same command lines are listed at the
 * same width, in whatever order (most frames: only figures change, and a sort by RSS or CPU reorders rows from one
 * tick to the next — which made every such tick shorten every command again). A row's shortening depends on the set
 * of command lines only, not on their order or how often one appears (`shortenCommands`; a worker thread's row
 * shares its process's). Kept per table (a ref), not in the module.
 */
function useShortenedCommands(rows: readonly TrackedProcess[], width: number): string[] {
  const last = useRef<Shortened | null>(null);
  const kept = last.current;
  // A process's argv is read once (at identification), so the same array means the same command line.
  if (kept !== null && kept.width === width) {
    const lookup = ++kept.lookups;
    const commands = new Array<string>(rows.length);
    let distinct = 0;
    let same = true;
    for (let i = 0; i < rows.length && same; i++) {
      const entry = kept.byArgv.get(rows[i]!.sample.argv);
      if (entry === undefined) same = false;
      else {
        if (entry.seenAt !== lookup) distinct++;
        entry.seenAt = lookup;
        commands[i] = entry.command;
      }
    }
    // Every argv known, and every known one listed: the same set of command lines.
    if (same && distinct === kept.byArgv.size) return commands;
  }
  const commands = shortenCommands(rows.map((r) => r.sample), width);
  const byArgv: Shortened['byArgv'] = new Map();
  rows.forEach((row, i) => byArgv.set(row.sample.argv, { command: commands[i]!, seenAt: 0 }));
  last.current = { width, byArgv, lookups: 0 };
  return commands;
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
  const rowLine = useRowLines();
  const layout = useMemo(() => columns.map((c) => `${c.id}:${c.width}:${c.align}`).join(','), [columns]);
  visible.forEach((row, i) => lines.push(rowLine(row, columns, layout, theme, row.key === selectedKey, attachments?.has(row.key) ?? false, commands[top + i])));
  return <TextBlock lines={lines} width={width} />;
}

/** The widest CONTAINER label among `rows`, for the layout; 0 when none has a place (the column is left out). */
export function widestPlaceLabel(rows: readonly TrackedProcess[]): number {
  let widest = 0;
  for (const row of rows) widest = Math.max(widest, placeLabel(row.sample)?.length ?? 0);
  return widest;
}
