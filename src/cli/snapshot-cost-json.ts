import type { SnapshotCost } from '../core/snapshot/snapshot-cost.js';
import type { SnapshotRoomCheck } from '../inspector/check-snapshot-room.js';

/** The estimate and the room one snapshot was weighed against, as `--json` carries it. */
export interface SnapshotCostJson {
  cost: SnapshotCost;
  room: { bytes: number; limitBytes: number; source: string; cgroupPath: string | null } | null;
}

export function snapshotCostJson(check: SnapshotRoomCheck): SnapshotCostJson {
  const { room } = check;
  // An estimate: to the millisecond, not 0.7478039999999999.
  const cost = { ...check.cost, pauseSeconds: Math.round(check.cost.pauseSeconds * 1000) / 1000 };
  return { cost, room: room && { bytes: room.bytes, limitBytes: room.limitBytes, source: room.source, cgroupPath: room.cgroupPath } };
}
