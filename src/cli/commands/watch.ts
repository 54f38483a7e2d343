import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessSampler } from '../../proc/index.js';
import type { InspectorSession } from '../../inspector/session.js';
import { attachThread } from '../../inspector/worker-sessions.js';
import { withTimeout } from '../../inspector/with-timeout.js';
import { ProcessTracker, type HeapReading } from '../../state/index.js';
import { toProcessRecord } from '../process-record.js';
import { textHeader, textRow } from '../process-text.js';
import { writeErr, writeOut } from '../output.js';
import { UserError } from '../user-error.js';

export interface WatchOptions {
  /** Seconds between lines. */
  intervalMs: number;
  /** Stop after this many ticks; run until interrupted when undefined. */
  count?: number;
  json?: boolean;
  /** Only these PIDs; all Node.js processes when empty. */
  pids: number[];
  /** Attach to each PID for the run and add heap figures. */
  heap: boolean;
  /** With `heap` and one PID: the heap figures are this worker thread's (`worker_threads.threadId`; 0 the main one). */
  threadId?: number;
  /** How long a process is watched before its growth is judged, ms (the judgement's default, 60 s, when undefined). */
  growthWindowMs?: number;
}

/**
 * Prints one line per process per tick, flushed as it goes, for logs and cron (`leaktop watch --json >> mem.log`).
 * With PIDs it ends when all of them have exited.
 */
export async function runWatch(options: WatchOptions, signal: AbortSignal): Promise<void> {
  const sessions = new Map<string, InspectorSession>();
  try {
    await watchLoop(options, signal, sessions);
  } finally {
    // Closes what leaktop opened, also after an error or an interrupt (the caller turns signals into `signal`).
    // Each detach is bounded; one that could not close its inspector is said, never swallowed (issue 14).
    const results = await Promise.allSettled([...sessions.values()].map((session) => session.detach()));
    const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    for (const failure of failures.slice(0, -1)) writeErr(`leaktop: ${failure instanceof Error ? failure.message : String(failure)}`);
    if (failures.length > 0) throw failures.at(-1);
  }
}

async function watchLoop(options: WatchOptions, signal: AbortSignal, sessions: Map<string, InspectorSession>): Promise<void> {
  const sampler = new ProcessSampler();
  const tracker = new ProcessTracker(options.growthWindowMs === undefined ? {} : { judge: { minWindowMs: options.growthWindowMs } });
  const first = sampler.sample();
  tracker.ingest(first);
  const wanted = new Set(options.pids);
  const missing = options.pids.filter((pid) => !first.processes.some((p) => p.pid === pid));
  if (missing.length > 0) {
    throw new UserError(`no Node.js process with PID '${missing.join("', '")}'`, { hint: "'leaktop list' shows the Node.js processes on this host." });
  }
  if (options.heap) {
    for (const sample of first.processes.filter((p) => wanted.has(p.pid))) {
      sessions.set(`${sample.pid}@${sample.startTimeTicks}`, await attachThread(sample.pid, options.threadId, { startTimeTicks: sample.startTimeTicks }));
    }
  }
  if (!options.json) await writeOut(`${['TIME                ', textHeader()].join(' ')}\n`);
  const alive = new Set(options.pids);
  for (let tick = 0; options.count === undefined || tick < options.count; tick++) {
    try {
      await sleep(options.intervalMs, undefined, { signal });
    } catch {
      return; // interrupted: a normal way to end a watch
    }
    const harvest = sampler.sample();
    tracker.ingest(harvest, await readHeaps(sessions));
    const time = new Date(harvest.sampledAtMs).toISOString().replace(/\.\d+Z$/, 'Z');
    const lines: string[] = [];
    for (const tracked of tracker.processes) {
      if (wanted.size > 0 && !wanted.has(tracked.sample.pid)) continue;
      const session = sessions.get(tracked.key);
      const inspector = session && { pid: session.pid, address: '127.0.0.1', port: session.port, nodeVersion: session.nodeVersion, openedBy: session.openedByLeaktop ? ('leaktop-running' as const) : ('other' as const), leaktopPid: session.openedByLeaktop ? process.pid : null };
      const record = toProcessRecord(tracked, { inspector });
      lines.push(options.json ? JSON.stringify({ time, ...record, ...(options.threadId === undefined ? {} : { threadId: options.threadId }) }) : `${time} ${textRow(record)}`);
    }
    if (lines.length > 0) await writeOut(`${lines.join('\n')}\n`);
    for (const pid of alive) {
      if (!harvest.processes.some((p) => p.pid === pid)) {
        alive.delete(pid);
        writeErr(`leaktop: process ${pid} exited`);
      }
    }
    if (wanted.size > 0 && alive.size === 0) return;
  }
}

/** One heap reading per live session; a session that fails (its process exited) is dropped from this tick. */
async function readHeaps(sessions: Map<string, InspectorSession>): Promise<Map<string, HeapReading>> {
  const readings = new Map<string, HeapReading>();
  await Promise.all(
    [...sessions].map(async ([key, session]) => {
      // Bounded by a second: a stopped or stuck target is a gap in this tick, and a Ctrl-C is not kept waiting.
      const usage = await withTimeout(session.heapUsage(), 1000).catch(() => undefined);
      if (usage) readings.set(key, usage);
    }),
  );
  return readings;
}
