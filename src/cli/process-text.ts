import { placeLabel } from '../core/container-of-cgroup.js';
import { fit, formatBytes, formatPercent, formatRate, inspectorAddress, sanitize } from '../core/format.js';
import type { ProcessRecord } from './process-record.js';

/** Plain-text rows for pipes and files: fixed-width figures, then the whole command line, never cut. */
const COLUMNS: ReadonlyArray<{ title: string; width: number; cell: (r: ProcessRecord) => string }> = [
  { title: 'PID', width: 7, cell: (r) => String(r.pid) },
  { title: 'USER', width: 10, cell: (r) => r.user },
  { title: 'CPU%', width: 5, cell: (r) => formatPercent(r.cpuPercent) },
  { title: 'RSS', width: 6, cell: (r) => formatBytes(r.rssBytes) },
  { title: 'HEAP', width: 6, cell: (r) => formatBytes(r.heapUsedBytes) },
  { title: 'GROWTH', width: 8, cell: (r) => formatRate(r.growthBytesPerMin) },
];

/**
 * The optional columns of a listing, shown only when some row needs them, so that a host without containers reads
 * as before: NSPID (the PID inside the process's own PID namespace; PID stays the host's, the one every command
 * takes, alone in the first column for scripts) and CONTAINER (as the TUI's: `docker:1a2b3c4d5e6f`, `pod:…`, a unit).
 */
export interface TextLayout {
  nsPid: boolean;
  /** Width of the CONTAINER column; 0 leaves it out. */
  placeWidth: number;
}

const NO_PLACE: TextLayout = { nsPid: false, placeWidth: 0 };

export function textLayout(records: readonly ProcessRecord[]): TextLayout {
  const widest = Math.max(0, ...records.map((r) => placeLabel(r)?.length ?? 0));
  return { nsPid: records.some((r) => r.nsPid !== null), placeWidth: widest > 0 ? Math.max(widest, 'CONTAINER'.length) : 0 };
}

function optionalCells(layout: TextLayout, nsPid: string, place: string): string[] {
  return [...(layout.nsPid ? [fit(nsPid, 5, 'right')] : []), ...(layout.placeWidth > 0 ? [fit(place, layout.placeWidth)] : [])];
}

export function textHeader(layout: TextLayout = NO_PLACE): string {
  return [...COLUMNS.map((c) => fit(c.title, c.width, c.title === 'USER' ? 'left' : 'right')), ...optionalCells(layout, 'NSPID', 'CONTAINER'), 'COMMAND'].join(' ');
}

export function textRow(record: ProcessRecord, layout: TextLayout = NO_PLACE): string {
  // Sanitized: a pipe often ends at a terminal too. JSON output keeps the command as it is (escaped by JSON).
  const place = optionalCells(layout, record.nsPid === null ? '-' : String(record.nsPid), placeLabel(record) ?? '-');
  return [...COLUMNS.map((c) => fit(c.cell(record), c.width, c.title === 'USER' ? 'left' : 'right')), ...place, sanitize(record.command)].join(' ');
}

/**
 * The line under a process that has an open inspector: anyone on the host who reaches that port can run code in
 * the process, so it is said in words, with who opened it and how to close it.
 */
export function inspectorLine(record: ProcessRecord): string {
  const inspector = record.inspector;
  if (!inspector) return '';
  const where = `INSPECTOR OPEN ${inspectorAddress(inspector.address, inspector.port)}`;
  const why: Record<typeof inspector.openedBy, string> = {
    'leaktop-died': `left by a leaktop that died; leaktop close ${record.pid} closes it`,
    'leaktop-gave-up': `opened after leaktop gave up waiting for it (the process was stopped or frozen); leaktop close ${record.pid} closes it`,
    'leaktop-running': `opened by leaktop ${inspector.leaktopPid}, which closes it when it detaches`,
    other: `not opened by leaktop; leaktop close ${record.pid} --force closes it`,
  };
  return `${' '.repeat(8)}${where} (${why[inspector.openedBy]})`;
}
