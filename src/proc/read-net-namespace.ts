import { isUnavailable, readProcLink, type Unavailable } from './read-file.js';

/**
 * The network namespace PID lives in, as the readlink of /proc/PID/ns/net: `net:[INODE]` (namespaces(7)). Two
 * processes share a namespace exactly when the links are equal.
 */
export function readNetNamespace(pid: number | 'self', procRoot = '/proc'): string | Unavailable {
  return readProcLink(`${procRoot}/${pid}/ns/net`);
}

/**
 * Whether PID shares our network namespace. Only then is its 127.0.0.1 our 127.0.0.1: a process in a container has
 * its own loopback, and connecting to the same port from here would reach some other process.
 */
export function sameNetNamespace(pid: number, procRoot = '/proc'): boolean | Unavailable {
  const theirs = readNetNamespace(pid, procRoot);
  if (isUnavailable(theirs)) return theirs;
  // Our own namespace always comes from our /proc: procRoot may be another pid namespace's, where `self` is not us.
  const ours = readNetNamespace('self');
  if (isUnavailable(ours)) return ours;
  return theirs === ours;
}
