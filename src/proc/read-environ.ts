import { isUnavailable, readProcBytes, type Unavailable } from './read-file.js';

/**
 * One variable of PID's initial environment, from /proc/PID/environ (proc(5)): `NAME=value` entries separated by
 * NULs, as passed to execve — later changes inside the process do not show. Null when the variable is not set.
 * Reading another user's environ needs ptrace-level access, so that is `denied`.
 */
export function readEnvironVariable(pid: number, name: string, procRoot = '/proc'): string | null | Unavailable {
  const bytes = readProcBytes(`${procRoot}/${pid}/environ`);
  if (isUnavailable(bytes)) return bytes;
  const prefix = `${name}=`;
  for (const entry of bytes.toString('utf8').split('\0')) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  return null;
}
