import { readFileSync, readdirSync } from 'node:fs';

/**
 * USER_HZ: the unit of utime/stime in /proc/PID/stat. Fixed at 100 by the kernel ABI on every architecture Node
 * runs on. Read independently of src/proc on purpose: the bench should not grade leaktop with leaktop's own parser.
 */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time a process (or one of its threads) has used so far (user + system), in clock ticks: fields 14 and 15 of /proc/PID/stat
 * (proc_pid_stat(5)). The comm field (2) may contain spaces and ')', so fields are counted after the LAST ')'.
 */
export function readCpuTicks(pid: number, thread?: number): number {
  // /proc/PID/task/TID/stat: the same fields, for one thread (the main thread's TID is the PID).
  const text = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'latin1');
  const afterComm = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // afterComm[0] is field 3 (state), so field n is afterComm[n - 3].
  const utimeTicks = Number(afterComm[14 - 3]);
  const stimeTicks = Number(afterComm[15 - 3]);
  if (!Number.isFinite(utimeTicks) || !Number.isFinite(stimeTicks)) throw new Error(`unparsable /proc/${pid}/stat`);
  return utimeTicks + stimeTicks;
}

/** Resident set size from the VmRSS line of /proc/PID/status (reported in kB, i.e. KiB). */
export function readRssBytes(pid: number): number {
  const text = readFileSync(`/proc/${pid}/status`, 'latin1');
  const match = text.match(/^VmRSS:\s+(\d+) kB$/m);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Whether a PID still names a live (non-zombie) process. */
export function isAlive(pid: number): boolean {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return text.slice(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** How many PIDs /proc lists: the sampler does one readlink per PID, so this sets its floor cost. */
export function countPids(): number {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;
}

/** Peak resident set size of this process so far: VmHWM of /proc/self/status, in bytes. */
export function peakRss(): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}
