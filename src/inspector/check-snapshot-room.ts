import { estimateSnapshotCost, type ObservedSnapshotPeak, type SnapshotCost } from '../core/snapshot/snapshot-cost.js';
import { judgeRoom, refusalHint, refusalMessage, type RoomVerdict } from '../core/snapshot/snapshot-room.js';
import { UserError } from '../core/user-error.js';
import { readRoom } from '../proc/read-room.js';
import type { ReadMemoryCgroupOptions } from '../proc/read-memory-cgroup.js';
import type { InspectorSession } from './session.js';

/** What the room check found: the estimate, the room, and whether it fits. */
export interface SnapshotRoomCheck extends RoomVerdict {
  /** V8 heap used when checked, bytes (before the GC the snapshot starts with: an upper bound). */
  heapUsedBytes: number;
  cost: SnapshotCost;
}

/** The refusal: not enough room for the snapshot. A UserError (one line and a hint), told apart by class. */
export class SnapshotRoomRefused extends UserError {}

/** Options of `checkSnapshotRoom`. */
export interface CheckSnapshotRoomOptions extends ReadMemoryCgroupOptions {
  /** Report a refusal instead of throwing it (`--force`, or a TUI answer given with the refusal in view). */
  force?: boolean;
}

/**
 * Before EVERY snapshot (also the second and third of a series: what the first one kept is charged to the process
 * and shrinks the room): the estimated cost from the session's heap and Node version, against the room the kernel
 * allows now. Does not fit and not forced → a UserError with the figures and the cheaper probe; the caller closes
 * what it opened as on any failure. One Runtime.getHeapUsage (~0.2 ms in the target) and a few small file reads.
 */
export async function checkSnapshotRoom(session: InspectorSession, options: CheckSnapshotRoomOptions = {}): Promise<SnapshotRoomCheck> {
  const heapUsedBytes = (await session.heapUsage()).usedBytes;
  const cost = estimateSnapshotCost(heapUsedBytes, session.nodeVersion, observedPeaks.get(session));
  const verdict = judgeRoom(cost, readRoom(session.pid, options));
  if (!verdict.fits && options.force !== true) {
    throw new SnapshotRoomRefused(refusalMessage(verdict, session.pid, heapUsedBytes), { hint: refusalHint(session.pid) });
  }
  return { ...verdict, heapUsedBytes, cost };
}

/** What the last snapshot of each session really cost its process (see ObservedSnapshotPeak). */
const observedPeaks = new WeakMap<InspectorSession, ObservedSnapshotPeak>();

/**
 * Records what a snapshot just cost: the next check of this session estimates from it. `peakRiseBytes` null (not
 * measurable) keeps what was known.
 */
export function recordSnapshotPeak(session: InspectorSession, heapUsedBytes: number, peakRiseBytes: number | null): void {
  if (peakRiseBytes !== null && peakRiseBytes > 0 && heapUsedBytes > 0) observedPeaks.set(session, { heapUsedBytes, peakRiseBytes });
}

/** What the last snapshot of this session cost, when it could be measured. */
export function observedSnapshotPeak(session: InspectorSession): ObservedSnapshotPeak | null {
  return observedPeaks.get(session) ?? null;
}
