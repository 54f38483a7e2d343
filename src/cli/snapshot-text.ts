import { fit, formatBytes, sanitize } from '../core/format.js';
import { pathLines } from '../core/path-lines.js';
import { classLabel } from '../core/snapshot/class-label.js';
import type { DiffRow, SnapshotDiff } from '../core/snapshot/diff-snapshots.js';
import type { LeakReport } from '../core/snapshot/leak-candidates.js';
import type { ClassObjects, RetainedDiffRow, RetainedSummaryRow } from '../core/snapshot/retained.js';
import type { PathJson } from '../core/snapshot/retainer-paths.js';
import type { Summary } from '../core/snapshot/summarize.js';
import { isOffHeapClass, OFF_HEAP_MARK, OFF_HEAP_NOTE } from '../core/snapshot/off-heap.js';

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
const signedBytes = (n: number) => (n > 0 ? `+${formatBytes(n)}` : formatBytes(n));
/** Text output is laid out for this many columns. */
const WIDTH = 80;

/** A row's name as printed, marked when its objects keep memory outside V8's heap. */
const rowName = (row: Parameters<typeof classLabel>[0]) => `${sanitize(classLabel(row))}${isOffHeapClass(row.name) ? OFF_HEAP_MARK : ''}`;
/** The note under a table with off-heap rows (empty when it has none). */
const offHeapNote = (rows: ReadonlyArray<{ name: string }>) => (rows.some((r) => isOffHeapClass(r.name)) ? ['', OFF_HEAP_NOTE] : []);

/** The retained size of a row, when it has one (retained sizes computed). */
const retainedOf = (row: object): number | null => ('retainedSize' in row && typeof row.retainedSize === 'number' ? row.retainedSize : null);

/** `leaktop summary` as text: one line per constructor, biggest self size first; RETAINED when computed. */
export function summaryText(summary: Summary | (Omit<Summary, 'rows'> & { rows: RetainedSummaryRow[] }), top: number): string {
  const rows = summary.rows.slice(0, top);
  const withRetained = rows.some((r) => retainedOf(r) !== null);
  const lines = [
    `${summary.nodes} objects, ${formatBytes(summary.selfSize)} self size`,
    `${fit('COUNT', 10, 'right')} ${fit('SELF', 8, 'right')} ${withRetained ? `${fit('RETAINED', 8, 'right')} ` : ''}CONSTRUCTOR`,
  ];
  for (const row of rows) {
    const retained = withRetained ? `${fit(formatBytes(retainedOf(row)), 8, 'right')} ` : '';
    lines.push(`${fit(String(row.count), 10, 'right')} ${fit(formatBytes(row.selfSize), 8, 'right')} ${retained}${rowName(row)}`);
  }
  lines.push(...offHeapNote(rows));
  return `${lines.join('\n')}\n`;
}

/** `leaktop diff` as text: the top growing constructors, with new/deleted when the ids are comparable. */
export function diffText(diff: SnapshotDiff | { idsComparable: boolean; rows: Array<RetainedDiffRow & { paths?: PathJson[] }> }, top: number): string {
  const withIds = diff.idsComparable;
  const rows = diff.rows.slice(0, top) as Array<DiffRow & Partial<RetainedDiffRow> & { paths?: PathJson[] }>;
  const withRetained = rows.some((r) => typeof r.retainedDelta === 'number');
  const head = [fit('COUNT+', 9, 'right'), fit('SIZE+', 9, 'right'), ...(withIds ? [fit('NEW', 8, 'right'), fit('FREED', 8, 'right')] : []), ...(withRetained ? [fit('RETAINED+', 9, 'right')] : []), 'CONSTRUCTOR'];
  const cells = (r: (typeof rows)[number]) => [
    fit(signed(r.countDelta), 9, 'right'),
    fit(signedBytes(r.sizeDelta), 9, 'right'),
    ...(withIds ? [fit(String(r.new ?? '-'), 8, 'right'), fit(String(r.deleted ?? '-'), 8, 'right')] : []),
    ...(withRetained ? [fit(typeof r.retainedDelta === 'number' ? signedBytes(r.retainedDelta) : '-', 9, 'right')] : []),
    rowName(r),
  ];
  const note = withIds
    ? 'Both snapshots come from one inspector session: NEW and FREED count objects by id.'
    : 'The snapshots come from different sessions (or elsewhere): object ids are not comparable, so only counts and sizes are compared.';
  const lines = [note, head.join(' '), ...rows.map((r) => cells(r).join(' ')), ...offHeapNote(rows)];
  const withPaths = rows.filter((r) => r.paths !== undefined);
  if (withPaths.length > 0) {
    lines.push('', withIds ? 'Why the new objects are alive (retainer paths in B, biggest group first):' : 'Why they are alive (retainer paths in B, biggest group first):');
    for (const row of withPaths) {
      lines.push(`${sanitize(classLabel(row))}${withIds && row.new !== null ? ` (${row.new} new)` : ''}:`);
      lines.push(...pathGroupLines(row.paths ?? [], '  '));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Path groups as `  120× global → …` lines, wrapped at 80 columns; `(none: nothing reaches them)` when empty. */
export function pathGroupLines(paths: readonly PathJson[], indent: string): string[] {
  if (paths.length === 0) return [`${indent}(no path: nothing but weak references reach them)`];
  return paths.flatMap((p) => pathLines(p.text, WIDTH, `${indent}${p.count}× `));
}

/** `leaktop retainers` as text: the constructor, its biggest objects, and why they are alive. */
export function retainersText(found: Omit<ClassObjects, 'paths'> & { paths: PathJson[] }, file: string): string {
  const retained = found.retainedSize === null ? '' : `, ${formatBytes(found.retainedSize)} retained`;
  const lines = [`${sanitize(found.name)}: ${found.count} object${found.count === 1 ? '' : 's'}, ${formatBytes(found.selfSize)} self size${retained}`, `in ${sanitize(file)}`, ''];
  lines.push(`${fit('ID', 12, 'right')} ${fit('SELF', 8, 'right')} ${fit('RETAINED', 8, 'right')}`);
  for (const o of found.objects) lines.push(`${fit(`@${o.id}`, 12, 'right')} ${fit(formatBytes(o.selfSize), 8, 'right')} ${fit(formatBytes(o.retainedSize), 8, 'right')}`);
  if (found.objects.length < found.count) lines.push(`${fit('…', 12, 'right')} ${found.count - found.objects.length} more`);
  const over = found.pathObjects !== undefined && found.pathCandidates !== undefined && found.pathObjects < found.pathCandidates ? ` (of the first ${found.pathObjects} of ${found.pathCandidates} objects)` : '';
  lines.push('', `Retainer paths from the GC roots, grouped, biggest group first${over}:`, ...pathGroupLines(found.paths.map((g) => ({ count: g.count, text: g.text, steps: g.steps })), '  '));
  return `${lines.join('\n')}\n`;
}

/** `leaktop leaks` as text: the candidates, biggest retained size first, each with its paths. */
export function leaksText(report: LeakReport, note: string): string {
  const lines = [note];
  if (report.candidates.length === 0) {
    lines.push('No leak candidates: nothing allocated between the baseline and the target is still alive at the final snapshot.');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`${fit('COUNT', 9, 'right')} ${fit('SELF', 8, 'right')} ${fit('RETAINED', 8, 'right')} CONSTRUCTOR`);
  for (const c of report.candidates) lines.push(`${fit(String(c.count), 9, 'right')} ${fit(formatBytes(c.selfSize), 8, 'right')} ${fit(formatBytes(c.retainedSize), 8, 'right')} ${sanitize(c.name)}${isOffHeapClass(c.name) ? OFF_HEAP_MARK : ''}`);
  lines.push(...offHeapNote(report.candidates));
  lines.push('', 'Why they are alive (retainer paths in the final snapshot, biggest group first):');
  for (const c of report.candidates) lines.push(`${sanitize(c.name)}${c.pathObjects === undefined ? '' : ` (paths of the ${c.pathObjects} biggest of ${c.count})`}:`, ...pathGroupLines(c.paths, '  '));
  return `${lines.join('\n')}\n`;
}
