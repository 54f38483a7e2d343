import { join } from 'node:path';
import { groupDirectory, parseCgroupMounts, parseCgroupPaths } from './cgroup-hierarchy.js';
import { readProcText } from './read-file.js';

/**
 * Whether a cgroup freezer holds a process (`docker pause`, systemd's freeze, a Kubernetes checkpoint). /proc/PID/stat
 * does not say: a task frozen by the v2 freezer shows S, by the v1 freezer D. A signal to it stays pending until it
 * is thawed, like one to a stopped process — so a SIGUSR1 opens an inspector only then.
 */

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
  const paths = parseCgroupPaths(cgroup, 'freezer');
  const mounts = parseCgroupMounts(mountinfo, 'freezer');
  const unified = paths.v2 !== null && mounts.v2 ? groupDirectory(mounts.v2, paths.v2) : null;
  if (unified !== null && unifiedFrozen(textOr(join(unified, 'cgroup.events')), textOr(join(unified, 'cgroup.freeze')))) return true;
  const v1 = paths.v1 !== null && mounts.v1 ? groupDirectory(mounts.v1, paths.v1) : null;
  return v1 !== null && freezerStateFrozen(textOr(join(v1, 'freezer.state')));
}
