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

export function textHeader(): string {
  return [...COLUMNS.map((c) => fit(c.title, c.width, c.title === 'USER' ? 'left' : 'right')), 'COMMAND'].join(' ');
}

export function textRow(record: ProcessRecord): string {
  // Sanitized: a pipe often ends at a terminal too. JSON output keeps the command as it is (escaped by JSON).
  return [...COLUMNS.map((c) => fit(c.cell(record), c.width, c.title === 'USER' ? 'left' : 'right')), sanitize(record.command)].join(' ');
}

/**
 * The line under a process that has an open inspector: anyone on the host who reaches that port can run code in
 * the process, so it is said in words, with who opened it and how to close it.
 */
export function inspectorLine(record: ProcessRecord): string {
  const inspector = record.inspector;
  if (!inspector) return '';
  const where = `INSPECTOR OPEN ${inspectorAddress(inspector.address, inspector.port)}`;
  const why =
    inspector.openedBy === 'leaktop-died'
      ? `left by a leaktop that died; leaktop close ${record.pid} closes it`
      : inspector.openedBy === 'leaktop-running'
        ? `opened by leaktop ${inspector.leaktopPid}, which closes it when it detaches`
        : `not opened by leaktop; leaktop close ${record.pid} --force closes it`;
  return `${' '.repeat(8)}${where} (${why})`;
}
