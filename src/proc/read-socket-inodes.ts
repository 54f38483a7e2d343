import { isUnavailable, readProcDir, readProcLink, type Unavailable } from './read-file.js';

/**
 * The inode numbers of the sockets PID holds open. proc(5) documents each /proc/PID/fd/N as a symlink whose target
 * is `socket:[INODE]` for a socket (`pipe:[…]`, `anon_inode:[…]` or a path otherwise). That inode is the one
 * /proc/PID/net/tcp shows, which is how a listening port is tied to a process.
 */
export function readSocketInodes(pid: number | 'self', procRoot = '/proc'): Set<number> | Unavailable {
  const dir = `${procRoot}/${pid}/fd`;
  // Listing /proc/PID/fd needs ptrace-level access (proc(5)): another user's process is denied.
  const fds = readProcDir(dir);
  if (isUnavailable(fds)) return fds;
  const inodes = new Set<number>();
  for (const fd of fds) {
    const target = readProcLink(`${dir}/${fd}`);
    // The fd was closed between readdir and readlink (or the process exited): it holds nothing any more.
    if (isUnavailable(target)) continue;
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(Number(match[1]));
  }
  return inodes;
}
