import { readProcText, type Unavailable } from './read-file.js';

/** The fields leaktop uses from /proc/PID/stat. Times are in clock ticks (USER_HZ), memory in pages. */
export interface ProcStat {
  pid: number;
  /** The executable's name as the kernel keeps it (at most 15 bytes; may contain spaces and parentheses). */
  comm: string;
  /** One letter: R running, S sleeping, D disk sleep, Z zombie, T stopped, … */
  state: string;
  ppid: number;
  /** User-mode CPU time, in clock ticks. */
  utimeTicks: number;
  /** Kernel-mode CPU time, in clock ticks. */
  stimeTicks: number;
  numThreads: number;
  /** Start time after system boot, in clock ticks; with the PID it identifies one process instance. */
  startTimeTicks: number;
  /** Resident set size, in pages. */
  rssPages: number;
}

/**
 * Parses /proc/PID/stat (proc_pid_stat(5)). The second field, comm, is wrapped in parentheses and may itself hold
 * spaces and `)`, so the fixed fields are taken after the LAST `)`.
 */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // After ") " come fields 3 (state) onwards; rest[0] is field 3.
  const rest = text.slice(close + 2).trim().split(' ');
  if (rest.length < 22 || !Number.isInteger(pid)) return null;
  const field = (n: number) => Number(rest[n - 3]);
  const stat: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0]!,
    ppid: field(4),
    utimeTicks: field(14),
    stimeTicks: field(15),
    numThreads: field(20),
    startTimeTicks: field(22),
    rssPages: field(24),
  };
  for (const value of Object.values(stat)) if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return stat;
}

/** Reads and parses /proc/PID/stat. A malformed file counts as gone: the kernel only writes it whole. */
export function readStat(pid: number, procRoot = '/proc'): ProcStat | Unavailable {
  const text = readProcText(`${procRoot}/${pid}/stat`);
  if (typeof text !== 'string') return text;
  return parseStat(text) ?? { unavailable: 'gone' };
}
