import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { groupDirectory, parseCgroupMounts, parseCgroupPaths, type CgroupMount } from './cgroup-hierarchy.js';
import { readProcText, isUnavailable, type Unavailable } from './read-file.js';

/**
 * The memory limit the kernel will really enforce on a process: its memory cgroup and every ancestor up to the
 * mount point, the tightest of them. Kubernetes and Docker run most services under such a limit; the host's
 * MemAvailable says nothing about it, and going past it gets the process OOM-killed (issue 13).
 *
 * cgroup v1 (the memory controller has its own hierarchy, usually mounted at /sys/fs/cgroup/memory):
 * `memory.limit_in_bytes` (a huge page-rounded value, 9223372036854771712 on x86-64, means unlimited),
 * `memory.usage_in_bytes`, and `memory.stat`'s hierarchical `total_inactive_file`. cgroup v2 (one unified hierarchy,
 * usually /sys/fs/cgroup): `memory.max` ("max" = unlimited), `memory.current`, and `memory.stat`'s `inactive_file`.
 * See the kernel's Documentation/admin-guide/cgroup-v1/memory.rst and cgroup-v2.rst.
 */

/** One group up the hierarchy that has a limit. */
export interface MemoryCgroupLimit {
  /** The group, as /proc/PID/cgroup writes paths: `/` is the root, `/kubepods/pod1/abc` a pod's container. */
  path: string;
  limitBytes: number;
  /**
   * Charged to the group now, minus its inactive file cache: the kernel reclaims that before it OOM-kills, so it
   * is room too (the "working set" that kubelet compares with the limit).
   */
  usageBytes: number;
  /** limitBytes − usageBytes, never below 0. */
  roomBytes: number;
}

/** A process's memory cgroup and the limit that binds it. */
export interface MemoryCgroup {
  version: 1 | 2;
  /** The process's own group. */
  path: string;
  /** The group up the hierarchy with the least room; null when no group up there has a limit. */
  tightest: MemoryCgroupLimit | null;
}

/** Where the memory hierarchies are mounted: a directory per version, absent when that version has no memory controller. */
export interface CgroupMounts {
  /** The cgroup v1 memory hierarchy's mount point, and which group is mounted there (`/` unless in a container). */
  v1Memory?: CgroupMount;
  /** The cgroup v2 (unified) hierarchy's mount point and root. */
  v2?: CgroupMount;
}

/** Options of `readMemoryCgroup`. */
export interface ReadMemoryCgroupOptions {
  /** Where procfs is mounted. @default '/proc' */
  procRoot?: string;
  /**
   * Where the cgroup file systems are, laid out the conventional way: v1 memory at `ROOT/memory`, v2 at `ROOT` (or
   * `ROOT/unified` on a hybrid host). Given, it replaces reading /proc/self/mountinfo (tests lay out a tree).
   */
  cgroupRoot?: string;
}

/** At or above this, a v1 limit means "no limit" (the kernel's PAGE_COUNTER_MAX × page size, rounded down). */
const V1_UNLIMITED_BYTES = 2 ** 62;

/** The memory cgroup paths in /proc/PID/cgroup: the v1 memory hierarchy's and the unified one's. */
export function parseProcCgroup(text: string): { v1Memory: string | null; v2: string | null } {
  const { v1, v2 } = parseCgroupPaths(text, 'memory');
  return { v1Memory: v1, v2 };
}

/** The memory hierarchies' mounts from /proc/self/mountinfo: the v1 `memory` one and the cgroup2 one. */
export function parseMountinfo(text: string): CgroupMounts {
  const { v1, v2 } = parseCgroupMounts(text, 'memory');
  return { ...(v1 && { v1Memory: v1 }), ...(v2 && { v2 }) };
}

/** A limit file's value in bytes; null for "no limit" (`max` in v2, the huge value in v1) or anything unreadable. */
export function parseLimitBytes(text: string): number | null {
  const value = text.trim();
  if (value === 'max' || !/^\d+$/.test(value)) return null;
  const bytes = Number(value);
  return bytes >= V1_UNLIMITED_BYTES ? null : bytes;
}

/** The inactive file cache of a group, bytes, from its memory.stat (v1: the hierarchical `total_inactive_file`). */
export function parseInactiveFileBytes(stat: string, version: 1 | 2): number {
  const key = version === 1 ? 'total_inactive_file' : 'inactive_file';
  const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(stat);
  return match ? Number(match[1]) : 0;
}

/** What one level of the hierarchy holds, as read. */
export interface CgroupLevel {
  path: string;
  /** Null when this level sets no limit. */
  limitBytes: number | null;
  /** Null when unreadable (v2's root has no memory.current). */
  usageBytes: number | null;
  /** Inactive file cache, bytes; 0 when unknown. */
  inactiveFileBytes: number;
}

/**
 * The level with the least room: a parent's limit binds its children too, and a parent with a looser limit can
 * still be the tighter one when its other children use most of it. Levels without a limit or a usage are skipped.
 */
export function tightestLimit(levels: readonly CgroupLevel[]): MemoryCgroupLimit | null {
  let best: MemoryCgroupLimit | null = null;
  for (const level of levels) {
    if (level.limitBytes === null || level.usageBytes === null) continue;
    const usageBytes = Math.max(0, level.usageBytes - level.inactiveFileBytes);
    const roomBytes = Math.max(0, level.limitBytes - usageBytes);
    if (!best || roomBytes < best.roomBytes) best = { path: level.path, limitBytes: level.limitBytes, usageBytes, roomBytes };
  }
  return best;
}

/** The group path and its ancestors, the group first: `/a/b` → `/a/b`, `/a`, `/`. */
export function ancestorPaths(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  const paths: string[] = [];
  for (let n = parts.length; n >= 0; n--) paths.push(`/${parts.slice(0, n).join('/')}`);
  return paths;
}

function readText(path: string): string | null {
  const text = readProcText(path);
  return typeof text === 'string' ? text : null;
}

function readLevel(mount: CgroupMount, path: string, version: 1 | 2): CgroupLevel | null {
  const dir = groupDirectory(mount, path);
  if (dir === null) return null;
  const [limitFile, usageFile] = version === 1 ? ['memory.limit_in_bytes', 'memory.usage_in_bytes'] : ['memory.max', 'memory.current'];
  const limit = readText(join(dir, limitFile));
  const usage = readText(join(dir, usageFile));
  const stat = readText(join(dir, 'memory.stat'));
  return {
    path,
    limitBytes: limit === null ? null : parseLimitBytes(limit),
    usageBytes: usage === null || !/^\d+$/.test(usage.trim()) ? null : Number(usage.trim()),
    inactiveFileBytes: stat === null ? 0 : parseInactiveFileBytes(stat, version),
  };
}

function conventionalMounts(cgroupRoot: string): CgroupMounts {
  const hybrid = readText(join(cgroupRoot, 'unified', 'cgroup.controllers')) !== null;
  return {
    v1Memory: { mountPoint: join(cgroupRoot, 'memory'), root: '/' },
    v2: { mountPoint: hybrid ? join(cgroupRoot, 'unified') : cgroupRoot, root: '/' },
  };
}

/**
 * The memory cgroup of `pid` and its tightest limit. Null when the process is in no memory cgroup leaktop can read
 * (no memory controller mounted, or another cgroup namespace's path); `gone`/`denied` as the other /proc readers.
 * The v1 memory hierarchy is used when the process has one (on a hybrid host v2 then has no memory controller).
 * v1's `memory.use_hierarchy = 0` (parents not charged for children, long deprecated) is not looked at: counting a
 * parent's limit anyway errs on the side of refusing.
 */
export function readMemoryCgroup(pid: number | 'self', options: ReadMemoryCgroupOptions = {}): MemoryCgroup | null | Unavailable {
  const procRoot = options.procRoot ?? '/proc';
  const text = readProcText(`${procRoot}/${pid}/cgroup`);
  if (isUnavailable(text)) return text;
  const membership = parseProcCgroup(text);
  let mounts: CgroupMounts;
  if (options.cgroupRoot !== undefined) mounts = conventionalMounts(options.cgroupRoot);
  else {
    const mountinfo = readText(`${procRoot}/self/mountinfo`);
    mounts = mountinfo === null ? conventionalMounts('/sys/fs/cgroup') : parseMountinfo(mountinfo);
  }
  const [version, path, mount] =
    membership.v1Memory !== null && mounts.v1Memory ? ([1, membership.v1Memory, mounts.v1Memory] as const)
    : membership.v2 !== null && mounts.v2 ? ([2, membership.v2, mounts.v2] as const)
    : [null, null, null];
  if (version === null) return null;
  // The process's own directory must be there: otherwise this is not the hierarchy it lives in.
  const own = groupDirectory(mount, path);
  if (own === null || !existsSync(own)) return null;
  const levels = ancestorPaths(path).map((p) => readLevel(mount, p, version));
  return { version, path, tightest: tightestLimit(levels.filter((l): l is CgroupLevel => l !== null)) };
}
