/**
 * What /proc/PID/smaps_rollup and /proc/PID/maps say about where a process's resident memory is, for `leaktop why`:
 * anonymous (heap, malloc, V8's pages), file-backed (code, mapped files) and shared memory; and glibc's malloc
 * arenas. Pure: the text in, the figures out (proc_pid_smaps(5), proc_pid_maps(5)).
 */

/** Resident memory by kind, bytes (smaps_rollup, Linux ≥ 4.14). */
export interface SmapsRollup {
  rssBytes: number;
  /** Anonymous resident memory: what malloc, V8's heap and ArrayBuffers use. */
  anonBytes: number;
  /** File-backed resident memory (code, mapped files): Rss − Anonymous − shared memory. */
  fileBytes: number;
  /**
   * Shared memory (tmpfs, memfd, SysV): smaps_rollup has no resident `Shmem` line, so it is scaled from
   * `Pss_Shmem` (Linux ≥ 5.14) by Rss/Pss; 0 on older kernels.
   */
  shmemBytes: number;
}

/** Parses smaps_rollup: `Key:   value kB` lines. Null when it has no Rss line. */
export function parseSmapsRollup(text: string): SmapsRollup | null {
  const kib = (key: string): number | null => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : null;
  };
  const rssBytes = kib('Rss');
  if (rssBytes === null) return null;
  const anonBytes = kib('Anonymous') ?? 0;
  // Newer kernels (≥ 5.14) split Pss into Pss_Anon, Pss_File and Pss_Shmem: the share of shmem among the pages.
  const pssShmem = kib('Pss_Shmem');
  const pss = kib('Pss');
  const shmemBytes = pssShmem !== null && pss !== null && pss > 0 ? Math.round((rssBytes * pssShmem) / pss) : 0;
  return { rssBytes, anonBytes, shmemBytes, fileBytes: Math.max(0, rssBytes - anonBytes - shmemBytes) };
}

/** glibc's HEAP_MAX_SIZE on 64-bit: every arena but the main one is a mapping of this size, aligned to it. */
export const ARENA_BYTES = 64 * 1024 * 1024;

/** glibc's non-main malloc arenas found in a process's maps. */
export interface GlibcArenas {
  count: number;
  /** Bytes of the arenas made readable and writable so far (the part in use; the rest is reserved `---p`). */
  committedBytes: number;
}

/**
 * The arenas in /proc/PID/maps: glibc makes each (but the main, brk one) by mapping 64 MiB aligned to 64 MiB,
 * then grows a read-write part at its start, the rest staying `---p`. So: runs of adjacent anonymous mappings that
 * start on a 64 MiB boundary, begin read-write and add up to exactly 64 MiB. (V8's own reservations are anonymous
 * too, but not such runs; a thread's stack is not aligned to 64 MiB.)
 */
export function glibcArenas(mapsText: string): GlibcArenas {
  const regions = mapsText
    .split('\n')
    .map(parseMapsLine)
    .filter((r): r is MapsRegion => r !== null);
  let count = 0;
  let committedBytes = 0;
  for (let i = 0; i < regions.length; i++) {
    const first = regions[i]!;
    if (!first.anonymous || first.start % BigInt(ARENA_BYTES) !== 0n || !first.perms.startsWith('rw')) continue;
    let end = first.end;
    let committed = first.perms.startsWith('rw') ? Number(first.end - first.start) : 0;
    let j = i + 1;
    while (end - first.start < BigInt(ARENA_BYTES) && j < regions.length && regions[j]!.anonymous && regions[j]!.start === end) {
      if (regions[j]!.perms.startsWith('rw')) committed += Number(regions[j]!.end - regions[j]!.start);
      end = regions[j]!.end;
      j++;
    }
    if (end - first.start !== BigInt(ARENA_BYTES)) continue;
    count++;
    committedBytes += committed;
    i = j - 1;
  }
  return { count, committedBytes };
}

interface MapsRegion {
  start: bigint;
  end: bigint;
  perms: string;
  anonymous: boolean;
}

/** `start-end perms offset dev inode [path]`; anonymous when there is no path (`[heap]`, `[stack]` are named). */
function parseMapsLine(line: string): MapsRegion | null {
  const match = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
  if (!match) return null;
  return { start: BigInt(`0x${match[1]}`), end: BigInt(`0x${match[2]}`), perms: match[3]!, anonymous: match[4] === '0' && match[5]!.trim() === '' };
}
