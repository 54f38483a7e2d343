import { fit, formatBytes, sanitize } from '../../core/format.js';
import { classLabel } from '../../core/snapshot/class-label.js';
import { sortDiffRows, type DiffRow, type DiffSort } from '../../core/snapshot/diff-snapshots.js';
import type { ClassRef, RetainedDiffRow } from '../../core/snapshot/retained.js';
import type { DiffResult } from '../../state/index.js';
import { paint, paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
const signedBytes = (n: number) => (n > 0 ? `+${formatBytes(n)}` : formatBytes(n));

type Row = DiffRow & Partial<RetainedDiffRow>;

/** The rows in the chosen order (a sorted copy), only those whose name contains `filter` (any case). */
export function sortedDiffRows(result: DiffResult, sort: DiffSort, filter = ''): Row[] {
  const q = filter.toLowerCase();
  const rows: Row[] = result.diff.rows.filter((r) => r.name.toLowerCase().includes(q));
  sortDiffRows(rows, sort);
  return rows;
}

/** The constructors of the rows in the order shown (what Enter opens), without formatting any line. */
export function diffRowRefs(result: DiffResult, sort: DiffSort, filter = ''): ClassRef[] {
  return sortedDiffRows(result, sort, filter).map((r) => (r.location ? { name: r.name, location: r.location } : { name: r.name }));
}

/** The diff as text lines, as shown and as `w` writes them; RET+ (retained size change) when known. */
export function diffLines(result: DiffResult, sort: DiffSort, width: number, filter = ''): { header: string; rows: string[] } {
  const name = (r: DiffRow) => sanitize(classLabel(r));
  const sorted = sortedDiffRows(result, sort, filter);
  const retained = result.diff.rows.some((r: Row) => typeof r.retainedDelta === 'number');
  const fixed = retained ? 44 : 35;
  const header = `${fit('COUNT+', 8, 'right')} ${fit('SIZE+', 8, 'right')} ${fit('NEW', 7, 'right')} ${fit('FREED', 7, 'right')} ${retained ? `${fit('RET+', 8, 'right')} ` : ''}CONSTRUCTOR`;
  const rows = sorted.map(
    (r) =>
      `${fit(signed(r.countDelta), 8, 'right')} ${fit(signedBytes(r.sizeDelta), 8, 'right')} ${fit(String(r.new ?? '-'), 7, 'right')} ${fit(String(r.deleted ?? '-'), 7, 'right')} ` +
      `${retained ? `${fit(typeof r.retainedDelta === 'number' ? signedBytes(r.retainedDelta) : '-', 8, 'right')} ` : ''}${fit(name(r), Math.max(1, width - fixed))}`,
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
  /** The selected row (Enter opens its objects). */
  selected?: number;
  width: number;
  height: number;
  /** The PID whose diff is being computed (none shown yet), or null. */
  computingPid?: number | null;
}

/** Rows of the diff view other than the table rows. */
export const DIFF_VIEW_CHROME = 3;

/** The top growing constructors between the last two snapshots of a process (DevTools' Comparison view). */
export function DiffView({ result, sort, filter, editing, top, selected = -1, width, height, computingPid = null }: DiffViewProps) {
  const theme = useTheme();
  if (!result && computingPid !== null) return <TextBlock lines={[`Comparing the last two snapshots of PID ${computingPid}...`, 'Keys work meanwhile: Esc goes back, the diff shows here when ready.']} width={width} />;
  if (!result) return <TextBlock lines={['No diff yet: take two snapshots (s), then d.']} width={width} />;
  const { header, rows } = diffLines(result, sort, width, filter);
  const filterNote = editing ? `  Filter: ${filter}_` : filter ? `  filter '${filter}' (/ changes it)` : '  / filters, Enter: why alive';
  const pageSize = Math.max(1, height - DIFF_VIEW_CHROME);
  const lines = [
    paintLine([[`PID ${result.pid}: ${rows.length} constructors changed, sorted by ${sort} (o)${filterNote}`]], width),
    paintLine([[`${result.aPath} -> ${result.bPath.slice(result.bPath.lastIndexOf('/') + 1)}`]], width),
    paint(header, { bold: true, color: theme.accent }),
    ...rows.slice(top, top + pageSize).map((line, i) => (top + i === selected ? paint(line, { inverse: true }) : line)),
  ];
  return <TextBlock lines={lines} width={width} />;
}
