import type { ContainerRef, Pm2App } from '../core/container-of-cgroup.js';
import type { InspectorOpener, OpenInspector } from '../inspector/scan-inspectors.js';
import type { TrackedProcess } from '../state/index.js';

/** An inspector the process listens on, in `list --json`. */
export interface InspectorRecord {
  /** The bound address: loopback, or a wildcard (`0.0.0.0`, `::`) reachable from every interface. */
  address: string;
  port: number;
  /** `leaktop-running`: a running leaktop opened it and will close it; `leaktop-died`: a leaktop opened it and was
   * killed before closing it; `leaktop-gave-up`: a leaktop signalled the process while it was stopped or frozen and
   * gave up, and it opened when the process resumed (`leaktop close PID` closes either); `other`: the process's own
   * or another tool's. */
  openedBy: InspectorOpener;
  /** The leaktop that opened it, or null. */
  leaktopPid: number | null;
}

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
  /**
   * The growth figure the monitor's GROWTH column shows (the judged rate of what grows; 0 when judged bounded), null
   * while the growth window fills.
   */
  growthBytesPerMin: number | null;
  threads: number;
  /** Whether leaktop could confirm the binary is Node (required before it ever signals the process). */
  inspectable: boolean;
  /** Port of an inspector the process listens on, or null (kept for scripts; `inspector` says more). */
  inspectorPort: number | null;
  /** The inspector the process listens on, or null. */
  inspector: InspectorRecord | null;
  /** The container it runs in, from /proc/PID/cgroup: `{runtime, id (full), pod (Kubernetes pod uid) | null}`. */
  container: ContainerRef | null;
  /** The systemd service it belongs to (`web.service`), or null. */
  unit: string | null;
  /** Its PID inside its own PID namespace (a container's `process.pid`), or null when the same as `pid`. */
  nsPid: number | null;
  /** The pm2 app it is, `{name, id}` (pm2's `pm_id`), or null. */
  pm2: Pm2App | null;
}

const round = (value: number | null, digits: number) => (value === null || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));

export function toProcessRecord(tracked: TrackedProcess, extra: { inspector?: OpenInspector | null } = {}): ProcessRecord {
  const inspector = extra.inspector ?? null;
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
    growthBytesPerMin: round(tracked.shownGrowth.bytesPerMin, 0),
    threads: s.threads,
    inspectable: s.inspectable,
    inspectorPort: inspector?.port ?? null,
    inspector: inspector && { address: inspector.address, port: inspector.port, openedBy: inspector.openedBy, leaktopPid: inspector.leaktopPid },
    container: s.container,
    unit: s.unit,
    nsPid: s.nsPid,
    pm2: s.pm2,
  };
}
