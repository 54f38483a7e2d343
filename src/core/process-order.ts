/** Sorting and filtering of process rows, shared by the TUI table and `leaktop list`. */

export type SortKey = 'rss' | 'growth' | 'cpu' | 'pid';

/** What sorting needs of a row. */
export interface SortableRow {
  pid: number;
  command: string;
  rssBytes: number;
  cpuPercent: number | null;
  growthBytesPerMin: number | null;
  /** Where it lives (container, pod, unit), searched by the filter too; see `placeSearchText`. */
  place?: string;
}

/** The direction a key sorts in before the user reverses it: biggest first, except PID. */
export function defaultDescending(key: SortKey): boolean {
  return key !== 'pid';
}

function keyValue(row: SortableRow, key: SortKey): number | null {
  switch (key) {
    case 'rss':
      return row.rssBytes;
    case 'growth':
      return row.growthBytesPerMin;
    case 'cpu':
      return row.cpuPercent;
    case 'pid':
      return row.pid;
  }
}

/** A sorted copy. Unknown values (null) go last in either direction; ties fall back to PID so rows do not jump. */
export function sortRows<T extends SortableRow>(rows: readonly T[], key: SortKey, descending: boolean): T[] {
  return [...rows].sort((a, b) => {
    const va = keyValue(a, key);
    const vb = keyValue(b, key);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      return descending ? vb - va : va - vb;
    }
    return a.pid - b.pid;
  });
}

/**
 * Rows matching a filter typed by the user: a case-insensitive substring of the command line or of where it lives
 * (a container id, pod uid or unit), or a PID prefix when the query is all digits. An empty query matches everything.
 */
export function filterRows<T extends SortableRow>(rows: readonly T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [...rows];
  const digits = /^\d+$/.test(q);
  return rows.filter((r) => r.command.toLowerCase().includes(q) || (r.place?.toLowerCase().includes(q) ?? false) || (digits && String(r.pid).startsWith(q)));
}
