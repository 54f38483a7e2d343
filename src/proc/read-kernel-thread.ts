import { isUnavailable, readProcText } from './read-file.js';

/** PF_KTHREAD in the `flags` field of /proc/PID/stat (include/linux/sched.h): the task is a kernel thread. */
const PF_KTHREAD = 0x0020_0000;

/**
 * What a process without a readable `exe` link is, from /proc/PID/stat (proc_pid_stat(5)): a kernel thread (the
 * PF_KTHREAD bit of field 9, flags), a zombie (state Z or X), another process (null: it has an exe we may not
 * read), or 'gone'. Fields are taken after the last ')': the command name may hold spaces and parentheses.
 */
export function readKernelThread(pid: number, procRoot = '/proc'): 'kernel-thread' | 'zombie' | 'gone' | null {
  const text = readProcText(`${procRoot}/${pid}/stat`);
  if (isUnavailable(text)) return 'gone';
  const close = text.lastIndexOf(')');
  const rest = close < 0 ? [] : text.slice(close + 2).split(' ');
  const state = rest[0];
  const flags = Number(rest[9 - 3]);
  if (state === undefined || !Number.isFinite(flags)) return 'gone';
  if ((flags & PF_KTHREAD) !== 0) return 'kernel-thread';
  if (state === 'Z' || state === 'X') return 'zombie';
  return null;
}
