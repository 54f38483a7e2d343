import { fit, formatBytes, sanitize } from '../../core/format.js';
import { sortDiffRows, type DiffRow, type DiffSort } from '../../core/snapshot/diff-snapshots.js';
import type { DiffResult } from '../../state/index.js';
import { paint, paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
const signedBytes = (n: number) => (n > 0 ? `+${formatBytes(n)}` : formatBytes(n));

/** The rows in the chosen order (a sorted copy), only those whose name contains `filter` (any case). */
export function sortedDiffRows(result: DiffResult, sort: DiffSort, filter = ''): DiffRow[] {
  const q = filter.toLowerCase();
  const rows = result.diff.rows.filter((r) => r.name.toLowerCase().includes(q));
  sortDiffRows(rows, sort);
  return rows;
}

/** The diff as text lines, as shown and as `w` writes them. */
export function diffLines(result: DiffResult, sort: DiffSort, width: number, filter = ''): { header: string; rows: string[] } {
  const name = (r: DiffRow) => sanitize(r.name);
  const header = `${fit('COUNT+', 8, 'right')} ${fit('SIZE+', 8, 'right')} ${fit('NEW', 7, 'right')} ${fit('FREED', 7, 'right')} CONSTRUCTOR`;
  const rows = sortedDiffRows(result, sort, filter).map(
    (r) => `${fit(signed(r.countDelta), 8, 'right')} ${fit(signedBytes(r.sizeDelta), 8, 'right')} ${fit(String(r.new ?? '-'), 7, 'right')} ${fit(String(r.deleted ?? '-'), 7, 'right')} ${fit(name(r), Math.max(1, width - 35))}`,
  );
  return { header, rows };
}

export interface DiffViewProps {
  result: DiffResult | null;
  sort: DiffSort;
  filter: string;
  editing: boolean;
  /** First row shown. */
  top: number;
  width: number;
  height: number;
}

/** The top growing constructors between the last two snapshots of a process (DevTools' Comparison view). */
export function DiffView({ result, sort, filter, editing, top, width, height }: DiffViewProps) {
  const theme = useTheme();
  if (!result) return <TextBlock lines={['No diff yet: take two snapshots (s), then d.']} width={width} />;
  const { header, rows } = diffLines(result, sort, width, filter);
  const filterNote = editing ? `  Filter: ${filter}_` : filter ? `  filter '${filter}' (/ changes it)` : '  / filters';
  const pageSize = Math.max(1, height - 3);
  const lines = [
    paintLine([[`PID ${result.pid}: ${rows.length} constructors changed, sorted by ${sort} (o)${filterNote}`]], width),
    paintLine([[`${result.aPath} -> ${result.bPath.slice(result.bPath.lastIndexOf('/') + 1)}`]], width),
    paint(header, { bold: true, color: theme.accent }),
    ...rows.slice(top, top + pageSize),
  ];
  return <TextBlock lines={lines} width={width} />;
}
