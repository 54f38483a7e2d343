import { fit, formatBytes, sanitize } from '../../core/format.js';
import { pathLines } from '../../core/path-lines.js';
import type { PathJson } from '../../core/snapshot/retainer-paths.js';
import type { ObjectsResult } from '../../state/index.js';
import { paint, paintLine } from '../paint.js';
import { useTheme } from '../theme.js';
import { TextBlock } from './text-block.js';

/** Objects listed above the paths; the rest are counted. */
const OBJECT_ROWS = 4;

/** Grouped paths as lines: `120× global → …`, wrapped at `width`, biggest group first. */
export function pathGroupsLines(paths: readonly PathJson[], width: number): string[] {
  if (paths.length === 0) return ['  (no path: only weak references reach them)'];
  return paths.flatMap((p) => pathLines(p.text, width, `  ${p.count}× `));
}

/** The objects view as plain lines (the first two are its title); the view scrolls them below the title. */
export function objectsLines(result: ObjectsResult, width: number): string[] {
  const lines = [`${sanitize(result.name)} in PID ${result.pid}, later snapshot of the diff`];
  if (result.computing) return [...lines, 'Finding the objects and their retainer paths...'];
  const fresh = result.newCount === null ? '' : `, ${result.newCount} new`;
  lines.push(`${result.count} objects${fresh}; self ${formatBytes(result.selfSize)}, retained ${formatBytes(result.retainedSize)}`);
  lines.push(`${fit('ID', 12, 'right')} ${fit('SELF', 8, 'right')} ${fit('RETAINED', 8, 'right')}  `);
  for (const o of result.objects.slice(0, OBJECT_ROWS)) {
    lines.push(`${fit(`@${o.id}`, 12, 'right')} ${fit(formatBytes(o.selfSize), 8, 'right')} ${fit(formatBytes(o.retainedSize), 8, 'right')}  ${o.isNew === true ? 'new' : o.isNew === false ? 'old' : ''}`);
  }
  if (result.count > OBJECT_ROWS) lines.push(`${fit('…', 12, 'right')} ${result.count - Math.min(OBJECT_ROWS, result.objects.length)} more`);
  lines.push(result.pathsOfNew ? 'Why the new ones are alive (retainer paths, biggest group first):' : 'Why they are alive (retainer paths, biggest group first):');
  lines.push(...pathGroupsLines(result.paths, width));
  return lines;
}

export interface ObjectsViewProps {
  result: ObjectsResult | null;
  /** First line shown below the title. */
  top: number;
  width: number;
  height: number;
}

/** Enter on a diff row: the constructor's objects, new first, and why they are alive. j/k scroll, Esc goes back. */
export function ObjectsView({ result, top, width, height }: ObjectsViewProps) {
  const theme = useTheme();
  if (!result) return <TextBlock lines={['No objects to show. Esc goes back to the diff.']} width={width} />;
  const all = objectsLines(result, width);
  const [title = '', ...rest] = all;
  const body = rest.slice(Math.min(top, Math.max(0, rest.length - 1)), top + Math.max(1, height - 1));
  const styled = body.map((line) => (line.startsWith('Why ') || line.startsWith(`${fit('ID', 12, 'right')}`) ? paint(fit(line, width), { bold: true, color: theme.accent }) : paintLine([[line]], width)));
  return <TextBlock lines={[paintLine([[title, { bold: true }]], width), ...styled]} width={width} />;
}
