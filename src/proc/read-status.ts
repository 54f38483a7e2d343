import { readProcText, type Unavailable } from './read-file.js';

/** The fields leaktop uses from /proc/PID/status. */
export interface ProcStatus {
  /** Real user id. */
  uid: number;
  /** Resident set size in bytes (VmRSS), or null for kernel threads and zombies, which have none. */
  rssBytes: number | null;
  /** The highest RSS the process has had (VmHWM), bytes; null where VmRSS is. */
  hwmBytes: number | null;
  threads: number | null;
  /** Signals with a handler installed (SigCgt), as a bit mask; bit n-1 is signal n. */
  sigCaught: bigint;
  /** Signals blocked (SigBlk). */
  sigBlocked: bigint;
  /** Signals sent and not yet taken (SigPnd of the thread, ShdPnd of the process, together): a stopped or frozen
   * process keeps a SIGUSR1 here until it resumes. */
  sigPending: bigint;
  /** PID of the process tracing this one (a debugger, strace), 0 when none (TracerPid). */
  tracerPid: number;
  /** The PID as the process's own PID namespace numbers it (last field of NSpid), or null when it is the host's
   * (no namespace, or a kernel before 4.1 without the field). */
  nsPid: number | null;
}

/** Parses /proc/PID/status (proc_pid_status(5)): `Key:\tvalue` lines; sizes are in kB (KiB). */
export function parseStatus(text: string): ProcStatus | null {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const uid = Number(fields.get('Uid')?.split(/\s+/)[0]);
  if (!Number.isInteger(uid)) return null;
  const kib = fields.get('VmRSS')?.match(/^(\d+)\s*kB$/);
  const hwmKib = fields.get('VmHWM')?.match(/^(\d+)\s*kB$/);
  const threads = Number(fields.get('Threads'));
  const mask = (key: string) => {
    const hex = fields.get(key);
    return hex && /^[0-9a-f]+$/i.test(hex) ? BigInt(`0x${hex}`) : 0n;
  };
  return {
    uid,
    rssBytes: kib ? Number(kib[1]) * 1024 : null,
    hwmBytes: hwmKib ? Number(hwmKib[1]) * 1024 : null,
    threads: Number.isInteger(threads) ? threads : null,
    sigCaught: mask('SigCgt'),
    sigBlocked: mask('SigBlk'),
    sigPending: mask('SigPnd') | mask('ShdPnd'),
    tracerPid: Number(fields.get('TracerPid') ?? 0) || 0,
    nsPid: namespacedPid(fields.get('NSpid'), fields.get('Pid')),
  };
}

/**
 * `NSpid:\t1234\t56\t7`: the PID in each nested PID namespace, outermost (the one /proc is mounted from) first; the
 * last is what the process sees as its own `process.pid`. Null when it is the same as the first.
 */
function namespacedPid(nspid: string | undefined, pid: string | undefined): number | null {
  const fields = nspid?.split(/\s+/).filter(Boolean) ?? [];
  const own = Number(fields.at(-1));
  const host = Number(fields[0] ?? pid);
  return fields.length > 1 && Number.isInteger(own) && own > 0 && own !== host ? own : null;
}

export function readStatus(pid: number | 'self', procRoot = '/proc'): ProcStatus | Unavailable {
  const text = readProcText(`${procRoot}/${pid}/status`);
  if (typeof text !== 'string') return text;
  return parseStatus(text) ?? { unavailable: 'gone' };
}
