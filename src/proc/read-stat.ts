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

/** The fields of /proc/PID/stat read here, numbered as in proc_pid_stat(5); the last one bounds the scan. */
const STATE = 3;
const RSS = 24;
/** ppid, utime, stime, num_threads, starttime, rss: where each lands in `numbers` below. */
const FIELD_SLOTS = [4, 14, 15, 20, 22, RSS];

/**
 * Parses /proc/PID/stat (proc_pid_stat(5)). The second field, comm, is wrapped in parentheses and may itself hold
 * spaces and `)`, so the fixed fields are taken after the LAST `)`.
 *
 * Scanned for the spaces rather than split: a split made ~50 strings and an array per process per tick, of which
 * 8 fields are read — most of what sampling 300 processes allocated each tick of `leaktop serve` (measured). The
 * fields are cut exactly where `split(' ')` would cut them, and read with the same `Number`.
 */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isInteger(pid)) return null;
  // After ") " come fields 3 (state) onwards, one space between two.
  const rest = text.slice(close + 2).trim();
  const numbers = [0, 0, 0, 0, 0, 0]; // ppid, utime, stime, threads, start time, rss
  let state = '';
  let from = 0;
  for (let field = STATE; field <= RSS; field++) {
    const space = rest.indexOf(' ', from);
    if (space < 0 && field < RSS) return null; // fewer than 22 fields after comm
    const to = space < 0 ? rest.length : space;
    const slot = field === STATE ? -2 : FIELD_SLOTS.indexOf(field);
    if (slot === -2) state = rest.slice(from, to);
    else if (slot >= 0) {
      const value = Number(rest.slice(from, to));
      if (!Number.isFinite(value)) return null;
      numbers[slot] = value;
    }
    from = to + 1;
  }
  return {
    pid,
    comm: text.slice(open + 1, close),
    state,
    ppid: numbers[0]!,
    utimeTicks: numbers[1]!,
    stimeTicks: numbers[2]!,
    numThreads: numbers[3]!,
    startTimeTicks: numbers[4]!,
    rssPages: numbers[5]!,
  };
}

/** Reads and parses /proc/PID/stat. A malformed file counts as gone: the kernel only writes it whole. */
export function readStat(pid: number, procRoot = '/proc'): ProcStat | Unavailable {
  const text = readProcText(`${procRoot}/${pid}/stat`);
  if (typeof text !== 'string') return text;
  return parseStat(text) ?? { unavailable: 'gone' };
}
