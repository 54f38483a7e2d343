import { join } from 'node:path';
import { readProcText } from './read-file.js';

/**
 * Whether a cgroup freezer holds a process (`docker pause`, systemd's freeze, a Kubernetes checkpoint). /proc/PID/stat
 * does not say: a task frozen by the v2 freezer shows S, by the v1 freezer D. A signal to it stays pending until it
 * is thawed, like one to a stopped process — so a SIGUSR1 opens an inspector only then.
 */

/** Where a process sits in the two hierarchies that can freeze it, from /proc/PID/cgroup. */
export interface FreezerPaths {
  /** The cgroup v2 path (`0::/PATH`), or null. */
  unified: string | null;
  /** The path in the v1 hierarchy that has the freezer controller (`N:freezer:/PATH`, maybe with others), or null. */
  freezer: string | null;
}

/** Parses /proc/PID/cgroup (cgroups(7)): `ID:CONTROLLERS:PATH` lines; a PATH may itself hold colons. */
export function parseFreezerPaths(text: string): FreezerPaths {
  const paths: FreezerPaths = { unified: null, freezer: null };
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (!path.startsWith('/')) continue;
    if (line.slice(0, first) === '0' && controllers === '') paths.unified = path;
    else if (controllers.split(',').includes('freezer')) paths.freezer = path;
  }
  return paths;
}

/** A mounted cgroup hierarchy: which part of it (ROOT) shows at MOUNTPOINT. */
export interface CgroupMount {
  root: string;
  mountPoint: string;
}

/** Where the cgroup v2 hierarchy and the v1 freezer are mounted, from /proc/self/mountinfo; null when not. */
export interface FreezerMounts {
  unified: CgroupMount | null;
  freezer: CgroupMount | null;
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
const unescape = (field: string) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/**
 * Parses /proc/self/mountinfo (proc_pid_mountinfo(5)): `ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] -
 * FSTYPE SOURCE SUPEROPTIONS`. The first mount of each kind is taken.
 */
export function parseFreezerMounts(text: string): FreezerMounts {
  const mounts: FreezerMounts = { unified: null, freezer: null };
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 4) continue;
    const mount = { root: unescape(fields[3]!), mountPoint: unescape(fields[4]!) };
    const type = fields[dash + 1];
    if (type === 'cgroup2') mounts.unified ??= mount;
    else if (type === 'cgroup' && fields[dash + 3]!.split(',').includes('freezer')) mounts.freezer ??= mount;
  }
  return mounts;
}

/**
 * The directory of cgroup PATH under MOUNT, or null when the mount does not show it (a mount of a subtree that
 * PATH is outside of).
 */
export function cgroupDir(mount: CgroupMount, path: string): string | null {
  if (mount.root === '/') return join(mount.mountPoint, path);
  if (path === mount.root) return mount.mountPoint;
  return path.startsWith(`${mount.root}/`) ? join(mount.mountPoint, path.slice(mount.root.length)) : null;
}

/**
 * Whether the v2 cgroup's files say it is frozen or freezing: `frozen 1` in cgroup.events (its own freeze or an
 * ancestor's), or `1` in cgroup.freeze (asked, maybe not complete yet).
 */
export function unifiedFrozen(events: string | null, freeze: string | null): boolean {
  return /^frozen 1$/m.test(events ?? '') || freeze?.trim() === '1';
}

/** Whether a v1 freezer.state (the effective state: an ancestor's freeze shows too) is FROZEN or FREEZING. */
export function freezerStateFrozen(state: string | null): boolean {
  const value = state?.trim();
  return value === 'FROZEN' || value === 'FREEZING';
}

/** The file's text, or null for any failure: a freezer that cannot be read is one that cannot be told about. */
const textOr = (path: string): string | null => {
  try {
    const text = readProcText(path);
    return typeof text === 'string' ? text : null;
  } catch {
    return null;
  }
};

/**
 * Whether a cgroup freezer (v2 or v1) holds PID now. False when it cannot be told (gone, no freezer mounted here,
 * files unreadable): the callers use it to explain or refuse, and an unknown is neither. Reads 3–4 small files.
 */
export function isFrozen(pid: number, procRoot = '/proc'): boolean {
  const cgroup = textOr(`${procRoot}/${pid}/cgroup`);
  const mountinfo = cgroup === null ? null : textOr(`${procRoot}/self/mountinfo`);
  if (cgroup === null || mountinfo === null) return false;
  const paths = parseFreezerPaths(cgroup);
  const mounts = parseFreezerMounts(mountinfo);
  const unified = paths.unified !== null && mounts.unified ? cgroupDir(mounts.unified, paths.unified) : null;
  if (unified !== null && unifiedFrozen(textOr(join(unified, 'cgroup.events')), textOr(join(unified, 'cgroup.freeze')))) return true;
  const v1 = paths.freezer !== null && mounts.freezer ? cgroupDir(mounts.freezer, paths.freezer) : null;
  return v1 !== null && freezerStateFrozen(textOr(join(v1, 'freezer.state')));
}
