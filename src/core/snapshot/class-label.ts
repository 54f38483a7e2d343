import type { SourceLocation } from './heap-snapshot.js';

/**
 * How a summary or diff row names its constructor in text: the name, and where it is defined when the row has a
 * location (only rows whose name several classes share do) — V8's script id and 1-based line and column, since a
 * snapshot has no script URLs: `Twin (script 58, 4:11)`.
 */
export function classLabel(row: { name: string; location?: SourceLocation }): string {
  const at = row.location;
  return at ? `${row.name} (script ${at.scriptId}, ${at.line + 1}:${at.column + 1})` : row.name;
}
