import type { TrackedProcess } from '../state/index.js';

/** The JSON shape of one process in `list --json` and `watch --json`. Field names carry their units. */
export interface ProcessRecord {
  pid: number;
  ppid: number;
  user: string;
  uid: number;
  state: string;
  command: string;
  argv: string[];
  /** /proc/PID/exe, or null when another user's process hides it. */
  exe: string | null;
  /** ISO 8601. */
  startTime: string;
  cpuPercent: number | null;
  rssBytes: number;
  heapUsedBytes: number | null;
  growthBytesPerMin: number | null;
  threads: number;
  /** Whether leaktop could confirm the binary is Node (required before it ever signals the process). */
  inspectable: boolean;
  /** 127.0.0.1 port of an inspector the process listens on, or null. */
  inspectorPort: number | null;
}

const round = (value: number | null, digits: number) => (value === null || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));

export function toProcessRecord(tracked: TrackedProcess, extra: { inspectorPort?: number | null } = {}): ProcessRecord {
  const s = tracked.sample;
  const heap = tracked.heapUsedBytes.last();
  return {
    pid: s.pid,
    ppid: s.ppid,
    user: s.user,
    uid: s.uid,
    state: s.state,
    command: s.command,
    argv: s.argv,
    exe: s.exePath,
    startTime: new Date(s.startTimeMs).toISOString(),
    cpuPercent: round(s.cpuPercent, 1),
    rssBytes: s.rssBytes,
    heapUsedBytes: heap === undefined || Number.isNaN(heap) ? null : heap,
    growthBytesPerMin: round(tracked.growthBytesPerMin, 0),
    threads: s.threads,
    inspectable: s.inspectable,
    inspectorPort: extra.inspectorPort ?? null,
  };
}
