import { isUnavailable, readProcDir, readProcText, type Unavailable } from './read-file.js';

/**
 * The names of PID's threads, from /proc/PID/task/TID/comm (proc(5)): what `prctl(PR_SET_NAME)` or
 * `pthread_setname_np` set, at most 15 bytes. Node ≥ 24 names its threads (`MainThread`, `V8Worker`, and
 * `InspectorIo` while an inspector is open); older versions leave every thread named after the binary.
 */
export function readThreadNames(pid: number, procRoot = '/proc'): string[] | Unavailable {
  const dir = `${procRoot}/${pid}/task`;
  const tids = readProcDir(dir);
  if (isUnavailable(tids)) return tids;
  const names: string[] = [];
  for (const tid of tids) {
    const comm = readProcText(`${dir}/${tid}/comm`);
    // A thread that ended between readdir and read has no name left to give.
    if (!isUnavailable(comm)) names.push(comm.trimEnd());
  }
  return names;
}
