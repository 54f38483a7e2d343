import { readProcLink, type Unavailable } from './read-file.js';

/**
 * The working directory of a process (proc(5): `/proc/PID/cwd`, a symbolic link), without the kernel's
 * ` (deleted)` suffix for a directory removed since. Another user's process is `denied` unless we are root.
 */
export function readCwd(pid: number): string | Unavailable {
  const link = readProcLink(`/proc/${pid}/cwd`);
  return typeof link === 'string' ? link.replace(/ \(deleted\)$/, '') : link;
}
