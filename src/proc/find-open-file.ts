import { isUnavailable, readProcDir, readProcLink } from './read-file.js';

/**
 * Whether any process we may look at holds `path` open, from the links in /proc/PID/fd (proc_pid_fd(5)): each
 * names the file it is open on, by absolute path. Used only to tell a `.partial` being written (by this or another
 * leaktop) from one left by a killed run, so it runs rarely; it reads one directory per process. Processes of other
 * users are invisible when we are not root, so a file only they hold open counts as not open.
 */
export function isOpenByAnyProcess(path: string, procRoot = '/proc'): boolean {
  const pids = readProcDir(procRoot);
  if (isUnavailable(pids)) return false;
  for (const pid of pids) {
    if (!/^\d+$/.test(pid)) continue;
    const fds = readProcDir(`${procRoot}/${pid}/fd`);
    if (isUnavailable(fds)) continue;
    for (const fd of fds) {
      const target = readProcLink(`${procRoot}/${pid}/fd/${fd}`);
      if (target === path) return true;
    }
  }
  return false;
}
