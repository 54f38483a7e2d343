import { join } from 'node:path';

/**
 * Where a process sits in the cgroup hierarchies, and where those are mounted here: what the memory limit
 * (read-memory-cgroup.ts) and the freezer (read-freezer.ts) both need. Pure but for `groupDirectory`'s path join.
 */

/** A mounted hierarchy: its mount point, and which group of it is mounted there (`/` unless in a container). */
export interface CgroupMount {
  mountPoint: string;
  root: string;
}

/**
 * The group paths in /proc/PID/cgroup (cgroups(7)): `ID:controllers:/path` lines. `v1`: the path in the v1
 * hierarchy whose controllers include CONTROLLER (alone or in a combined list); `v2`: the unified one (`0::/path`).
 */
export function parseCgroupPaths(text: string, controller: string): { v1: string | null; v2: string | null } {
  let v1: string | null = null;
  let v2: string | null = null;
  for (const line of text.split('\n')) {
    // The path may contain ':' itself, so split at the first two only.
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const id = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (!path.startsWith('/')) continue;
    if (id === '0' && controllers === '') v2 = path;
    else if (controllers.split(',').includes(controller)) v1 = path;
  }
  return { v1, v2 };
}

/** Octal escapes of mountinfo fields (`\040` is a space). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * The hierarchies' mounts from /proc/self/mountinfo (proc_pid_mountinfo(5)): `ID PARENT MAJ:MIN ROOT MOUNTPOINT
 * OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPEROPTIONS`. v1 is the `cgroup` mount whose super options name CONTROLLER;
 * v2 the `cgroup2` mount. The first of each wins (a later bind mount of the same hierarchy adds nothing).
 */
export function parseCgroupMounts(text: string, controller: string): { v1?: CgroupMount; v2?: CgroupMount } {
  const mounts: { v1?: CgroupMount; v2?: CgroupMount } = {};
  for (const line of text.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const before = line.slice(0, dash).split(' ');
    const [fsType, , superOptions = ''] = line.slice(dash + 3).split(' ');
    const root = before[3];
    const mountPoint = before[4];
    if (root === undefined || mountPoint === undefined) continue;
    const mount = { mountPoint: unescapeMountField(mountPoint), root: unescapeMountField(root) };
    if (fsType === 'cgroup' && superOptions.split(',').includes(controller)) mounts.v1 ??= mount;
    else if (fsType === 'cgroup2') mounts.v2 ??= mount;
  }
  return mounts;
}

/** The directory of a group: the mount point plus the path below the mounted root; null when it is not below it. */
export function groupDirectory(mount: CgroupMount, path: string): string | null {
  if (mount.root === '/') return join(mount.mountPoint, path);
  if (path === mount.root || path.startsWith(`${mount.root}/`)) return join(mount.mountPoint, path.slice(mount.root.length));
  // A path outside what is mounted here (another cgroup namespace): no directory we can read.
  return null;
}
