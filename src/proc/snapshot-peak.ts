import { isUnavailable } from './read-file.js';
import { readStatus } from './read-status.js';

/**
 * How far a process's RSS rose during a snapshot, from /proc/PID/status: read VmRSS and VmHWM before, VmHWM after.
 * When VmHWM rose, the new high-water mark was reached during the snapshot, so `VmHWM after − RSS before` is the
 * exact rise; when it did not (the process had been bigger once), the rise is unknown and `riseBytes` is null — a
 * poll of VmRSS could miss the peak, and an estimate too low is the one that costs an OOM kill.
 */
export function watchSnapshotPeak(pid: number): { riseBytes(): number | null } {
  const before = readStatus(pid);
  return {
    riseBytes() {
      const after = readStatus(pid);
      if (isUnavailable(before) || isUnavailable(after)) return null;
      if (before.rssBytes === null || before.hwmBytes === null || after.hwmBytes === null) return null;
      return after.hwmBytes > before.hwmBytes ? after.hwmBytes - before.rssBytes : null;
    },
  };
}
