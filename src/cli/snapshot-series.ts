import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { HeapSnapshot } from '../core/snapshot/heap-snapshot.js';
import { SnapshotParser } from '../core/snapshot/parse-snapshot.js';
import { checkSnapshotRoom, type SnapshotRoomCheck } from '../inspector/check-snapshot-room.js';
import { InspectorSession } from '../inspector/session.js';
import { defaultSnapshotName, takeSnapshot } from '../inspector/take-snapshot.js';
import { cleanUpOnSignals } from './signals.js';

/** What `withSnapshotSeries` hands its caller. */
export interface SnapshotSeries {
  /** Aborted when a signal stops the command: for the waits between snapshots. */
  signal: AbortSignal;
  /** Takes a snapshot into `leaktop-PID-STAMP-LABEL.heapsnapshot`, parsed from its chunks as they stream in. */
  capture(label: string): Promise<{ path: string; snapshot: HeapSnapshot }>;
}

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
}

/**
 * Several snapshots of one process in ONE inspector session, so that object ids match between them (`diff --pid`,
 * `leaks --pid`). Attaches, then makes the work directory — so a refused attach leaves nothing behind — and runs
 * `run`; afterwards, also when SIGINT/SIGTERM/SIGHUP stops the command, closes what it opened and deletes the temp
 * directory.
 */
export async function withSnapshotSeries<T>(options: SnapshotSeriesOptions, run: (series: SnapshotSeries) => Promise<T>): Promise<T> {
  const keepDir = resolve(options.dir ?? '.');
  const session = await InspectorSession.attach(options.pid);
  const workDir = options.keep ? keepDir : mkdtempSync(join(tmpdir(), options.tempPrefix));
  const abort = new AbortController();
  const cleanup = async () => {
    abort.abort();
    await session.detach().catch(() => undefined);
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  };
  const removeHandlers = cleanUpOnSignals(cleanup);
  const stamp = defaultSnapshotName(options.pid, new Date());
  const capture = async (label: string) => {
    const path = join(workDir, stamp.replace('.heapsnapshot', `-${label}.heapsnapshot`));
    options.onRoomChecked?.(await checkSnapshotRoom(session, { force: options.force }), label);
    const parser = new SnapshotParser();
    await takeSnapshot(session, { path, signal: abort.signal, onChunk: (chunk) => parser.write(chunk) });
    return { path, snapshot: parser.end() };
  };
  try {
    return await run({ signal: abort.signal, capture });
  } finally {
    removeHandlers();
    await cleanup();
  }
}
