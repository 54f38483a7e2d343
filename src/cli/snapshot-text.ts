import { fit, formatBytes, sanitize } from '../core/format.js';
import type { DiffRow, SnapshotDiff } from '../core/snapshot/diff-snapshots.js';
import type { Summary } from '../core/snapshot/summarize.js';

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
const signedBytes = (n: number) => (n > 0 ? `+${formatBytes(n)}` : formatBytes(n));

/** `leaktop summary` as text: one line per constructor, biggest self size first. */
export function summaryText(summary: Summary, top: number): string {
  const lines = [`${summary.nodes} objects, ${formatBytes(summary.selfSize)} self size`, `${fit('COUNT', 10, 'right')} ${fit('SELF', 8, 'right')} CONSTRUCTOR`];
  for (const row of summary.rows.slice(0, top)) lines.push(`${fit(String(row.count), 10, 'right')} ${fit(formatBytes(row.selfSize), 8, 'right')} ${sanitize(row.name)}`);
  return `${lines.join('\n')}\n`;
}

/** `leaktop diff` as text: the top growing constructors, with new/deleted when the ids are comparable. */
export function diffText(diff: SnapshotDiff, top: number): string {
  const withIds = diff.idsComparable;
  const head = [fit('COUNT+', 9, 'right'), fit('SIZE+', 9, 'right'), ...(withIds ? [fit('NEW', 8, 'right'), fit('FREED', 8, 'right')] : []), 'CONSTRUCTOR'];
  const cells = (r: DiffRow) => [
    fit(signed(r.countDelta), 9, 'right'),
    fit(signedBytes(r.sizeDelta), 9, 'right'),
    ...(withIds ? [fit(String(r.new ?? '-'), 8, 'right'), fit(String(r.deleted ?? '-'), 8, 'right')] : []),
    sanitize(r.name),
  ];
  const note = withIds
    ? 'Both snapshots come from one inspector session: NEW and FREED count objects by id.'
    : 'The snapshots come from different sessions (or elsewhere): object ids are not comparable, so only counts and sizes are compared.';
  return `${[note, head.join(' '), ...diff.rows.slice(0, top).map((r) => cells(r).join(' '))].join('\n')}\n`;
}
