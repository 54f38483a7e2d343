import { sampleHost, type HostSample, type ProcessHarvest } from '../proc/index.js';
import type { OpenInspector } from '../inspector/scan-inspectors.js';
import type { HeapReading, MonitorStore } from '../state/index.js';

/** The I/O a monitor drives; injectable so a test can count ticks. */
export interface Samplers {
  sampleProcesses(): ProcessHarvest;
  sampleHost(): Promise<HostSample>;
  /** Heap figures of attached processes by key (see SessionManager.readHeaps); none when absent. */
  readHeaps?(): Promise<ReadonlyMap<string, HeapReading>>;
  /** The open inspectors of the listed processes, by key (see InspectorScanner); none when absent. */
  scanInspectors?(): Promise<ReadonlyMap<string, OpenInspector>>;
}

/** Options of `startMonitor`. */
export interface MonitorOptions {
  /** Host figures change slowly; refresh them at most this often, ms. @default 5000 */
  hostEveryMs?: number;
  /** How often to look for open inspectors, ms: fds of every Node process are read, so not every tick. @default 5000 */
  inspectorsEveryMs?: number;
}

/**
 * The one clock: every `store.intervalMs` it samples the processes into the store (unless paused), and the host
 * at a slower cadence (its figures join the next process tick, so each tick is one frame). It follows interval changes at once. Sampling failures become a status line; they never
 * stop the clock.
 */
export function startMonitor(store: MonitorStore, samplers: Samplers, options: MonitorOptions = {}): { stop(): void } {
  const hostEveryMs = options.hostEveryMs ?? 5000;
  const inspectorsEveryMs = options.inspectorsEveryMs ?? 5000;
  let lastInspectorsAtMs = 0;
  let inspectorsInFlight = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastHostAtMs = 0;
  let hostInFlight = false;
  /** Host figures that arrived since the last tick; they reach the store with the next one. */
  let pendingHost: HostSample | undefined;
  let scheduledIntervalMs = store.getState().intervalMs;

  let ticking = false;
  const tick = async () => {
    if (stopped) return;
    // A tick waiting on heap readings is not overlapped by the next one (an interval change reschedules).
    if (ticking) return schedule();
    ticking = true;
    try {
      await tickOnce();
    } finally {
      ticking = false;
    }
    schedule();
  };

  const tickOnce = async () => {
    const state = store.getState();
    if (!state.paused) {
      try {
        const harvest = samplers.sampleProcesses();
        // Heap readings travel over the sessions' sockets; read them concurrently, as part of the same tick.
        const heaps = samplers.readHeaps && state.attachments.size > 0 ? await samplers.readHeaps() : undefined;
        if (stopped) return;
        store.ingestProcesses(harvest, pendingHost, heaps);
        pendingHost = undefined;
      } catch (error) {
        store.setStatus(`sampling failed: ${(error as Error).message}`, 'error');
      }
      if (samplers.scanInspectors && !inspectorsInFlight && Date.now() - lastInspectorsAtMs >= inspectorsEveryMs) {
        inspectorsInFlight = true;
        lastInspectorsAtMs = Date.now();
        samplers
          .scanInspectors()
          .then((found) => !stopped && store.setOpenInspectors(found))
          .catch((error: Error) => !stopped && store.setStatus(`looking for open inspectors failed: ${error.message}`, 'error'))
          .finally(() => (inspectorsInFlight = false));
      }
      if (!hostInFlight && Date.now() - lastHostAtMs >= hostEveryMs) {
        hostInFlight = true;
        lastHostAtMs = Date.now();
        samplers
          .sampleHost()
          .then((host) => (pendingHost = host))
          .catch((error: Error) => !stopped && store.setStatus(`host figures unavailable: ${error.message}`, 'error'))
          .finally(() => (hostInFlight = false));
      }
    }
  };

  const schedule = () => {
    clearTimeout(timer);
    if (stopped) return;
    scheduledIntervalMs = store.getState().intervalMs;
    timer = setTimeout(() => void tick(), scheduledIntervalMs);
  };

  const unsubscribe = store.subscribe(() => {
    if (store.getState().intervalMs !== scheduledIntervalMs) schedule();
  });

  void tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
    },
  };
}

/** The real samplers. */
export function defaultSamplers(
  sampleProcesses: () => ProcessHarvest,
  readHeaps?: () => Promise<ReadonlyMap<string, HeapReading>>,
  scanInspectors?: () => Promise<ReadonlyMap<string, OpenInspector>>,
): Samplers {
  return { sampleProcesses, sampleHost, readHeaps, scanInspectors };
}
