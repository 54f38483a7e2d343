import { join, resolve } from 'node:path';
import { AnalysisWorker } from '../analysis/index.js';
import { makeWorkDir, removeStaleWorkDirs, removeWorkDir } from '../files/work-dir.js';
import { attachThread } from '../inspector/worker-sessions.js';
import { defaultSnapshotName, unusedPath } from '../inspector/take-snapshot.js';
import type { SnapshotRoomCheck } from '../inspector/check-snapshot-room.js';
import type { SeriesContext } from '../tasks/index.js';
import { writeErr } from './output.js';
import { cleanUpOnSignals, reportCleanupFailure } from './signals.js';
import { reportStalePartials } from './stale-partials.js';

/** How long a stop may wait silently before saying what it waits for, ms. */
const QUIET_STOP_MS = 1000;

export interface SnapshotSeriesOptions {
  pid: number;
  /** Keep the files (in `dir` or the current directory); otherwise they go to a temp directory that is deleted. */
  keep: boolean;
  dir?: string;
  /** Prefix of that temp directory's name. */
  tempPrefix: string;
  /** Snapshot even when the estimated peak does not fit in the process's room (`--force`). */
  force?: boolean;
  /** Told the estimate and the room before each capture that goes ahead (for a person at a terminal). */
  onRoomChecked?: (check: SnapshotRoomCheck, label: string) => void;
  /** `--thread ID`: a worker thread's isolate (`worker_threads.threadId`); 0 or absent, the main thread's. */
  threadId?: number;
}

/**
 * Several snapshots of one process in ONE inspector session, so that object ids match between them (`diff --pid`,
 * `leaks --pid`), parsed in an analysis worker as they stream. Attaches, then makes the work directory — so a
 * refused attach leaves nothing behind — and starts the worker; `run` gets a `SeriesContext` whose
 * `afterLastCapture` detaches (closing an inspector leaktop opened) before the analysis starts. Afterwards, also
 * when SIGINT/SIGTERM/SIGHUP stops the command in any phase, it ends the worker (at once, whatever it computes),
 * detaches and deletes the temp directory. The main thread never analyses, so a signal is served within moments,
 * except while V8 writes a snapshot: the inspector can be closed only after that (see commands/snapshot.ts).
 */
export async function withSnapshotSeries<T>(options: SnapshotSeriesOptions, run: (series: SeriesContext) => Promise<T>): Promise<T> {
  const keepDir = resolve(options.dir ?? '.');
  // A leaktop that died (SIGKILL, out of memory) could not delete its temp directory: the next run does.
  removeStaleWorkDirs(options.tempPrefix);
  if (options.keep) await reportStalePartials(keepDir);
  // What cannot be caught (SIGKILL, an out-of-memory of this thread): the temp directory is removed by the next run
  // (above), and the inspector is closed already during the analysis, the longest phase; one still open when leaktop
  // dies during the captures is in the registry of opened inspectors (opened-registry.ts), which the next run reads.
  const session = await attachThread(options.pid, options.threadId);
  const workDir = options.keep ? keepDir : makeWorkDir(options.tempPrefix);
  const analysis = AnalysisWorker.start();
  const abort = new AbortController();
  let detaching: Promise<void> | undefined;
  const detach = () => (detaching ??= session.detach().catch(reportCleanupFailure));
  const cleanup = async () => {
    abort.abort();
    await Promise.all([analysis.terminate(), detach()]);
    if (!options.keep) removeWorkDir(workDir);
  };
  // V8 cannot cancel a snapshot, and the inspector can be closed only after it (see commands/snapshot.ts): a signal
  // during a capture waits for that, saying so after a second; a second signal leaves at once, the close request
  // queued behind the snapshot (the target still runs it).
  let signals = 0;
  const removeHandlers = cleanUpOnSignals(async () => {
    if (++signals > 1) {
      if (!options.keep) removeWorkDir(workDir);
      writeErr(`leaktop: leaving now; process ${options.pid} closes its inspector once its snapshot is done`);
      await new Promise((r) => setTimeout(r, 100)); // lets the close request reach the socket before exit
      return;
    }
    const notice = setTimeout(() => writeErr(`leaktop: stopping; closing the inspector of process ${options.pid} waits for the snapshot it is taking (signal again to leave now)`), QUIET_STOP_MS);
    try {
      await cleanup();
    } finally {
      clearTimeout(notice);
    }
  });
  const stamp = defaultSnapshotName(options.pid, new Date(), options.threadId);
  try {
    return await run({
      session,
      analysis,
      signal: abort.signal,
      // Kept files share their directory with earlier runs (two fit in one second): never onto a taken name.
      pathFor: (label) => unusedPath(join(workDir, stamp.replace('.heapsnapshot', `-${label}.heapsnapshot`))),
      afterLastCapture: detach,
      force: options.force,
      onRoomChecked: options.onRoomChecked,
    });
  } finally {
    removeHandlers();
    await cleanup();
  }
}
