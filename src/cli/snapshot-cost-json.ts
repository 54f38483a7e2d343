import type { SnapshotCost } from '../core/snapshot/snapshot-cost.js';
import type { SnapshotRoomCheck } from '../inspector/check-snapshot-room.js';

/** The estimate and the room one snapshot was weighed against, as `--json` carries it. */
export interface SnapshotCostJson {
  cost: SnapshotCost;
  room: { bytes: number; limitBytes: number; source: string; cgroupPath: string | null } | null;
}

export function snapshotCostJson(check: SnapshotRoomCheck): SnapshotCostJson {
  const { room } = check;
  return { cost: check.cost, room: room && { bytes: room.bytes, limitBytes: room.limitBytes, source: room.source, cgroupPath: room.cgroupPath } };
}
