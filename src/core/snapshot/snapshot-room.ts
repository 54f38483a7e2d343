import { formatBytes } from '../format.js';
import type { SnapshotCost } from './snapshot-cost.js';

/**
 * Whether a heap snapshot fits in the memory the kernel will let the process have — decided before anything is
 * asked of the process, because V8 cannot cancel a snapshot and a process past its cgroup's limit is OOM-killed
 * (issue 13: a 106 MB heap in a 700 MB cgroup was killed 9 s into its snapshot). Pure: the figures come in.
 */

/** The memory a process may still grow into, and what sets it. */
export interface Room {
  /** How much more the process may use, bytes. */
  bytes: number;
  /** The limit that sets it: the cgroup's limit, or the host's MemTotal. */
  limitBytes: number;
  /** A memory cgroup's limit (the tightest up the process's hierarchy), or the host's MemAvailable. */
  source: 'cgroup' | 'host';
  /** The cgroup's path when `source` is 'cgroup' (as /proc/PID/cgroup writes it), else null. */
  cgroupPath: string | null;
}

/**
 * The tighter of the cgroup's room and the host's: a cgroup limit above what the host has free does not help, and
 * the host's MemAvailable says nothing about a cgroup's limit. Null when neither is known.
 */
export function tighterRoom(
  cgroup: { path: string; limitBytes: number; roomBytes: number } | null,
  host: { memAvailableBytes: number; memTotalBytes: number } | null,
): Room | null {
  const fromCgroup: Room | null = cgroup && { bytes: cgroup.roomBytes, limitBytes: cgroup.limitBytes, source: 'cgroup', cgroupPath: cgroup.path };
  const fromHost: Room | null = host && { bytes: host.memAvailableBytes, limitBytes: host.memTotalBytes, source: 'host', cgroupPath: null };
  if (!fromCgroup) return fromHost;
  if (!fromHost) return fromCgroup;
  return fromHost.bytes < fromCgroup.bytes ? fromHost : fromCgroup;
}

/**
 * The safety margin on the estimated peak. The estimate is a line fitted through a few measured heaps of small
 * objects (bench/snapshot-cost.ts); real heaps scatter around it (object counts per MB differ, the measured rises
 * varied by ~10 % between runs), and what the margin buys is cheap next to what missing costs: the kernel
 * OOM-kills at the limit without warning. So 25 % on top, plus a fixed 32 MiB for what the process itself may
 * allocate around the snapshot (the GC before it, the inspector's buffers) and for page rounding.
 */
export const ROOM_MARGIN_FRACTION = 0.25;
export const ROOM_MARGIN_FIXED_BYTES = 32 * 1024 * 1024;

/** The memory a snapshot needs to be sure to fit: the estimated peak rise plus the margin. */
export function neededBytes(cost: SnapshotCost): number {
  return Math.round(cost.peakBytes * (1 + ROOM_MARGIN_FRACTION) + ROOM_MARGIN_FIXED_BYTES);
}

/** The answer: fits, or not, with the figures either way. */
export interface RoomVerdict {
  fits: boolean;
  /** The estimated peak plus the margin, bytes. */
  needBytes: number;
  /** Null when no room could be read (no /proc/meminfo, no cgroup): then it "fits" — there is nothing to weigh. */
  room: Room | null;
}

export function judgeRoom(cost: SnapshotCost, room: Room | null): RoomVerdict {
  const needBytes = neededBytes(cost);
  return { fits: room === null || needBytes <= room.bytes, needBytes, room };
}

/** Where the room comes from, in words: `limit 200M set by cgroup '/app'` or `MemAvailable of the host (24G total)`. */
export function roomSource(room: Room): string {
  return room.source === 'cgroup'
    ? `limit ${formatBytes(room.limitBytes)} set by cgroup '${room.cgroupPath}'`
    : `the host's MemAvailable (${formatBytes(room.limitBytes)} total)`;
}

/** The one line of a refusal: what it needs, what there is, who says so. */
export function refusalMessage(verdict: RoomVerdict, pid: number, heapUsedBytes: number): string {
  const room = verdict.room;
  const roomText = room ? `room ${formatBytes(room.bytes)}, ${roomSource(room)}` : 'room unknown';
  return `not enough memory for a heap snapshot of process '${pid}': it needs ~${formatBytes(verdict.needBytes)} (heap ${formatBytes(heapUsedBytes)}), ${roomText}`;
}

/** What to do instead: the probe that answers "what keeps growing" without a pause or memory, or --force. */
export function refusalHint(pid: number): string {
  return `The process could be OOM-killed. 'leaktop alloc --pid ${pid} --duration 60 --compare' shows which code keeps allocating, with no pause and no extra memory; --force takes the snapshot anyway.`;
}

/** The estimate in one line, for a person at a terminal before the snapshot starts. */
export function costLine(cost: SnapshotCost, verdict: RoomVerdict, heapUsedBytes: number): string {
  const room = verdict.room ? `; room ${formatBytes(verdict.room.bytes)}, ${roomSource(verdict.room)}` : '';
  const basis = cost.basis === 'measured' ? ' (as the last snapshot measured)' : '';
  return `heap ${formatBytes(heapUsedBytes)}: expect a pause of ~${Math.ceil(cost.pauseSeconds)} s, memory up to +${formatBytes(cost.peakBytes)}${basis}, a file of ~${formatBytes(cost.fileBytes)}${room}`;
}
