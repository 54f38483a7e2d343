import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/**
 * USER_HZ, the unit of the CPU and start times in /proc/PID/stat. It is 100 on every Linux architecture Node
 * supports (the kernel fixes it for userspace ABI stability), and Node offers no sysconf() to ask.
 */
export const CLOCK_TICKS_PER_SECOND = 100;

/** Parses `btime` (boot time, seconds since the epoch) from /proc/stat (proc_stat(5)). */
export function parseBootTime(text: string): number | null {
  const match = text.match(/^btime (\d+)$/m);
  return match ? Number(match[1]) : null;
}

/** The boot time in epoch milliseconds, to turn start times in ticks into wall-clock times. */
export function readBootTimeMs(procRoot = '/proc'): number {
  const seconds = parseBootTime(readFileSync(`${procRoot}/stat`, 'latin1'));
  if (seconds === null) throw new Error(`no btime line in ${procRoot}/stat`);
  return seconds * 1000;
}

/**
 * The kernel page size in bytes, the unit of RSS in /proc/PID/stat. Node has no sysconf(), so it is read from
 * the first mapping of our own smaps (`KernelPageSize: 4 kB`); 4096 when that is not readable.
 */
export function readPageSize(procRoot = '/proc'): number {
  try {
    // Only the first mapping is needed; the whole file is hundreds of KiB for a Node process.
    const fd = openSync(`${procRoot}/self/smaps`, 'r');
    const buffer = Buffer.alloc(2048);
    let length: number;
    try {
      length = readSync(fd, buffer, 0, buffer.length, 0);
    } finally {
      closeSync(fd);
    }
    const head = buffer.toString('latin1', 0, length);
    const match = head.match(/^KernelPageSize:\s+(\d+) kB$/m);
    if (match) return Number(match[1]) * 1024;
  } catch {
    // Fall through: smaps can be absent under some sandboxes.
  }
  return 4096;
}
