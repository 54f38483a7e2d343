/** Retainer paths as lines of a given width, for the CLI's text output and the TUI. Pure. */
import { cellWidth, sanitize, truncate } from './format.js';

const ARROW = ' → ';

/**
 * One path (`global → sessions (Map) → table → [12] (Session)`) as lines of at most `width` cells: the first starts
 * with `prefix` (e.g. `  120× `), the next ones are indented as deep, and lines break after an arrow, never inside
 * a step (a step wider than a line is cut, marked `~`). Text from the snapshot is sanitized.
 */
export function pathLines(text: string, width: number, prefix = ''): string[] {
  const indent = ' '.repeat(Math.min(cellWidth(prefix), Math.max(0, width - 20)));
  const parts = sanitize(text).split(ARROW);
  const lines: string[] = [];
  let line = prefix;
  let empty = true;
  for (const [i, part] of parts.entries()) {
    const piece = i < parts.length - 1 ? `${part}${ARROW.trimEnd()}` : part;
    const sep = empty ? '' : ' ';
    if (!empty && cellWidth(line) + cellWidth(sep + piece) > width) {
      lines.push(line);
      line = indent;
      empty = true;
    }
    line += (empty ? '' : ' ') + piece;
    empty = false;
    if (cellWidth(line) > width) {
      lines.push(truncate(line, width));
      line = indent;
      empty = true;
    }
  }
  if (!empty) lines.push(line);
  return lines;
}
