import { glibcArenas, parseSmapsRollup, type GlibcArenas, type SmapsRollup } from '../core/why/memory-maps.js';
import { isUnavailable, readProcText } from './read-file.js';

/**
 * /proc/PID/smaps_rollup: resident memory by kind. The kernel walks the process's page tables for it (a few ms for
 * a GB, under the mmap read lock), so `why` reads it once per tick, not faster. Null when unreadable.
 */
export function readSmapsRollup(pid: number, procRoot = '/proc'): SmapsRollup | null {
  const text = readProcText(`${procRoot}/${pid}/smaps_rollup`);
  return isUnavailable(text) ? null : parseSmapsRollup(text);
}

/** glibc's malloc arenas from /proc/PID/maps (a text read, no page walk); null when unreadable. */
export function readGlibcArenas(pid: number, procRoot = '/proc'): GlibcArenas | null {
  const text = readProcText(`${procRoot}/${pid}/maps`);
  return isUnavailable(text) ? null : glibcArenas(text);
}
