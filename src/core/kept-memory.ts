import { formatBytes } from './format.js';

/**
 * What a process kept after a costly probe: its RSS just before and a moment after. After a heap snapshot a Node
 * process on glibc keeps most of the snapshot's peak (measured: 179 MB -> 879 MB for a 105 MB heap), freed but
 * never returned; `leaktop trim` gives it back (see src/native/trim-memory.ts).
 */
export interface KeptMemory {
  /** VmRSS just before, bytes; null when it could not be read. */
  rssBeforeBytes: number | null;
  /** VmRSS a moment after, bytes; null when it could not be read (the process exited). */
  rssAfterBytes: number | null;
}

/** Below this, what a snapshot left is not worth a stop of the process to give back. */
export const TRIM_WORTH_BYTES = 32 * 1024 * 1024;

/** RSS after minus before, bytes; null when either is unknown. */
export function keptBytes(kept: KeptMemory): number | null {
  return kept.rssBeforeBytes === null || kept.rssAfterBytes === null ? null : kept.rssAfterBytes - kept.rssBeforeBytes;
}

/** `+620M`, `-3.0M`: a signed size. */
function signed(bytes: number): string {
  return `${bytes < 0 ? '-' : '+'}${formatBytes(Math.abs(bytes))}`;
}

/**
 * The CLI's note after a snapshot, one line for stderr, or null when RSS is unknown: how much the process kept,
 * and the command that gives it back when that is worth it.
 */
export function keptNote(pid: number, kept: KeptMemory): string | null {
  const bytes = keptBytes(kept);
  if (bytes === null) return null;
  const figures = `RSS ${formatBytes(kept.rssBeforeBytes)} -> ${formatBytes(kept.rssAfterBytes)}`;
  if (bytes < TRIM_WORTH_BYTES) return `leaktop: process ${pid} kept ${signed(bytes)} after the snapshot (${figures})`;
  return `leaktop: process ${pid} kept ${signed(bytes)} after the snapshot (${figures}); 'leaktop trim ${pid}' gives it back`;
}

/** The TUI's status after `s`, short to fit 80 columns beside the file name: `kept +620M: T gives it back`. */
export function keptStatus(kept: KeptMemory): string | null {
  const bytes = keptBytes(kept);
  if (bytes === null) return null;
  return bytes < TRIM_WORTH_BYTES ? `kept ${signed(bytes)}` : `kept ${signed(bytes)}: T gives it back`;
}
